"""The `convlens` console script: one module per sub-command, each exposing `register(subparsers)`."""
