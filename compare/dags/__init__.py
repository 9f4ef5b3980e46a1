"""The built-in workloads of `kfmigrate compare`: plain Airflow DAG files, shipped inside the package.

They are data, never imported: compare copies them into a temporary Airflow DAG folder and converts
them with kfmigrate's converter. Keeping them in a package puts them in the wheel, so an installed
kfmigrate finds them wherever it runs from.
"""
