"""Reading files and bringing them into a project.

The readers (:mod:`~framework.ingest.text`, :mod:`~framework.ingest.formats`,
:mod:`~framework.ingest.tables`, :mod:`~framework.ingest.archives`) only read and convert;
the importers (:mod:`~framework.ingest.documents`, :mod:`~framework.ingest.survey`,
:mod:`~framework.ingest.codings`) write what was read into the store, in one transaction.
"""
