import pytest

from performance.models import DataSet, Measure


def make_measure(partnership, name="Re-referrals within 12 months", **extra):
    fields = {
        "definition": "Referrals about a child referred in the previous 12 months",
        "unit": "percent",
        "higher_is_better": False,
        "target": 20,
        "amber_threshold": 23,
        "frequency": "quarter",
    }
    return Measure.objects.create(partnership=partnership, name=name, **(fields | extra))


@pytest.fixture
def data_set(ncscp, qa_group):
    """NCSCP's data set, led by the Children's QA subgroup."""
    return DataSet.objects.create(partnership=ncscp, lead_group=qa_group)
