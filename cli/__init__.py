"""The ``send-clock`` command line: thin click commands over the :mod:`send_clock` library."""
