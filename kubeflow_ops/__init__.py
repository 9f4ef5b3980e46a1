"""The Kubeflow half of kfmigrate: notebook access manifests, a retrying kfp.Client session, deploys.

Heavy packages (kfp, kubernetes) are imported inside the functions that need them.
"""
