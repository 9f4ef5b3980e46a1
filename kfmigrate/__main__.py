from kfmigrate.cli import main

main()
