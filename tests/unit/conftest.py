import pytest


@pytest.fixture(scope="session")
def corpus_report():
    """The shared law corpus imported once for all the importer's tests (test_ingest, test_metadata, …)."""
    from ingest_samples import CORPUS

    from knowledge.ingest import import_folder

    return import_folder(CORPUS)
