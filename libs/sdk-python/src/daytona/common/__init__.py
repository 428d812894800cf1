"""Everything the sync and async clients share: config, errors, data types, and the operations
themselves as sans-IO generators (see README.md, "One mechanism for sync and async")."""
