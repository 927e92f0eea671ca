# A script with a command minimega's help marks deprecated, for the script
# macro's warning (the facade's docs compile it with and without
# `#![deny(deprecated)]`).
ns snapshot
vm info
