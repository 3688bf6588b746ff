"""An EDGAR-faithful fake server for offline tests and the demo (see server.py)."""

from fake_edgar.server import Canned, FakeEdgar, FakeEdgarConfig, max_requests_in_window, read_log

__all__ = ["Canned", "FakeEdgar", "FakeEdgarConfig", "max_requests_in_window", "read_log"]
