from aftershock.records import EXTRACTOR_VERSION as EXTRACTOR_VERSION

__version__ = "0.1.0"
