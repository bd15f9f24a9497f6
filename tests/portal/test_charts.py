"""Server-rendered SVG charts: escaped, accessible, scaled to the view box."""
import re
from decimal import Decimal as D

import pytest

from charity.portal import charts


def test_nice_max_rounds_up_to_1_2_2_5_5():
    assert [charts.nice_max(D(v)) for v in ("0", "1", "1.2", "2.2", "3", "7", "10", "10.01",
                                            "1234.5")] == [
        1, 1, 2, D("2.5"), 5, 10, 10, 20, 2000]


def test_percent_is_not_capped_and_none_without_a_target():
    assert charts.percent(D("1000.50"), D("100000")) == D("1.0")
    assert charts.percent(D("150"), D("100")) == D("150.0")
    assert charts.percent(D("5"), None) is None
    assert charts.percent(D("5"), D("0")) is None


def test_bar_chart_is_accessible_and_escapes_text():
    svg = str(charts.bar_chart("<b>标题</b>", "说明 & more", ["1月", "<2月>"],
                               [charts.Series("收到<script>", [D("50"), D("100")], "s1")],
                               fmt=lambda v: f"¥{v}", uid="t1"))
    assert svg.startswith('<svg class="chart" viewBox="0 0 360 220" width="100%" role="img"')
    assert 'aria-labelledby="chart-tt1 chart-dt1"' in svg
    assert '<title id="chart-tt1">&lt;b&gt;标题&lt;/b&gt;</title>' in svg
    assert '<desc id="chart-dt1">说明 &amp; more</desc>' in svg
    assert "<script" not in svg and "&lt;2月&gt;" in svg
    assert "<title>&lt;2月&gt; 收到&lt;script&gt;: ¥100</title>" in svg
    # 100 fills the plot (top 28 to base 184: 156 high); 50 half of it
    heights = [float(h) for h in re.findall(r'<rect class="s1" x="[\d.]+" y="[\d.]+" '
                                            r'width="[\d.]+" height="([\d.]+)"', svg)]
    assert heights == [10.0, 78.0, 156.0]  # the legend swatch, then the two bars
    assert ">¥100</text>" in svg and ">¥0</text>" in svg  # axis from 0 to the top


def test_line_chart_draws_each_point_with_its_value():
    svg = str(charts.line_chart("钱", "累计", ["a", "b", "c"],
                                [charts.Series("收", [D(0), D(10), D(20)], "s1"),
                                 charts.Series("支", [D(0), D(5), D(5)], "s2")],
                                fmt=str, axis_fmt=lambda v: f"{v:f}"))
    assert svg.count("<circle") == 6
    assert svg.count('class="s1 area"') == 1 and svg.count("<polyline") == 2
    assert "<title>c 收: 20</title>" in svg and "<title>b 支: 5</title>" in svg
    assert re.search(r'<polyline class="s1 line" points="[\d.,]+ [\d.,]+ [\d.]+,28"/>', svg)


@pytest.mark.parametrize("n", [1, 6, 24])
def test_labels_thin_out_to_fit_a_phone(n):
    svg = str(charts.bar_chart("t", "d", [f"m{i}" for i in range(n)],
                               [charts.Series("s", [D(1)] * n)]))
    shown = re.findall(r'text-anchor="middle">(m\d+)</text>', svg)
    assert len(shown) <= 7 and shown[-1] == f"m{n - 1}" and shown[0] == "m0"
