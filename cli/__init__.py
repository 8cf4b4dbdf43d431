"""The ``svcq`` command line: parses arguments, calls the libraries, prints the results."""
