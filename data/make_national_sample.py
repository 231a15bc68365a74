"""Make the synthetic national files in parameters/national/ (fixed seed: the same files every time).

They have the layout of the DfE's published statistics, so a council can drop the real ones in their place:
- la_indicators.csv: Explore Education Statistics' tidy local-authority table (time_period, time_identifier,
  geographic_level, country_code, country_name, region_code, region_name, new_la_code, la_name, then one
  column per indicator), with the DfE's symbols for figures not published (c, x, z, low).
- statistical_neighbours.csv: each authority's ten statistical neighbours, nearest first.
These are not real figures: the real ones are on explore-education-statistics.service.gov.uk ("Children looked
after in England including adoptions", its local-authority CSV) and in the DfE's LAIT statistical neighbour
list.

    python data/make_national_sample.py
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "parameters" / "national"
REGIONS = [
    ("E12000001", "North East"), ("E12000002", "North West"), ("E12000003", "Yorkshire and The Humber"),
    ("E12000004", "East Midlands"), ("E12000005", "West Midlands"), ("E12000006", "East of England"),
    ("E12000007", "London"), ("E12000008", "South East"), ("E12000009", "South West"),
]  # fmt: skip
INDICATORS = {  # indicator: (England mean, spread, decimals)
    "placement_stability_3plus_pct": (10.0, 2.0, 0),
    "placement_stability_2yrs_pct": (69.0, 5.0, 0),
    "care_leavers_eet_pct": (52.0, 7.0, 0),
}
YEARS = ("201718", "201819")
# per 10,000 children aged 0-17: (England mean, spread); drawn apart, so the indicators above stay as they were
RATES = {
    "cla_rate_per_10000": (65.0, 15.0),
    "starts_rate_per_10000": (28.0, 6.0),
    "uasc_rate_per_10000": (4.0, 1.5),
}
POPULATION_YEARS = ("2017", "2018", "2019")  # ONS mid-year estimates


def main() -> None:
    rng = np.random.default_rng(903)
    authorities = [("E10000016", "Kent", "E12000008", "South East")]
    for number in range(1, 60):
        code, name = REGIONS[number % len(REGIONS)]
        authorities.append((f"E0{6 + number % 4}{number:06d}", f"Authority {number:02d}", code, name))
    OUT.mkdir(parents=True, exist_ok=True)
    columns = ["time_period", "time_identifier", "geographic_level", "country_code", "country_name", "region_code",
               "region_name", "new_la_code", "la_name", *INDICATORS, *RATES]  # fmt: skip
    rates_rng = np.random.default_rng(10_000)
    rates = {(year, la, r): round(float(abs(rates_rng.normal(m, sd))), 1) for year in YEARS
             for la, *_ in authorities for r, (m, sd) in RATES.items()}  # fmt: skip
    with (OUT / "la_indicators.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(columns)
        for year in YEARS:
            values = {
                (la, ind): round(float(rng.normal(mean, spread)), 1)
                for la, *_ in authorities
                for ind, (mean, spread, _) in INDICATORS.items()
            }
            for ind in INDICATORS:  # the DfE's symbols: c (confidential), x (not available)
                values[(authorities[7][0], ind)] = "c"  # type: ignore[assignment]
                values[(authorities[11][0], ind)] = "x"  # type: ignore[assignment]
            shown = {
                ind: [v for (_, i), v in values.items() if i == ind and isinstance(v, float)] for ind in INDICATORS
            }
            out.writerow([year, "Reporting year", "National", "E92000001", "England", "", "", "", "",
                          *(round(float(np.mean(shown[i])), 1) for i in INDICATORS),
                          *(round(float(np.mean([rates[(year, la, r)] for la, *_ in authorities])), 1)
                            for r in RATES)])  # fmt: skip
            for code, name in REGIONS:
                members = [la for la, *_, rc, _ in authorities if rc == code]
                means = [np.mean([values[(la, i)] for la in members if isinstance(values[(la, i)], float)] or [0])
                         for i in INDICATORS]  # fmt: skip
                out.writerow([year, "Reporting year", "Regional", "E92000001", "England", code, name, "", "",
                              *(round(float(m), 1) for m in means),
                              *(round(float(np.mean([rates[(year, la, r)] for la in members] or [0])), 1)
                                for r in RATES)])  # fmt: skip
            for la, la_name, code, name in authorities:
                out.writerow([year, "Reporting year", "Local authority", "E92000001", "England", code, name, la,
                              la_name, *(values[(la, i)] for i in INDICATORS),
                              *(rates[(year, la, r)] for r in RATES)])  # fmt: skip
    with (OUT / "statistical_neighbours.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["new_la_code", "la_name", "neighbour_rank", "neighbour_new_la_code", "neighbour_la_name"])
        for la, la_name, *_ in authorities:
            others = [a for a in authorities if a[0] != la]
            for rank, pick in enumerate(rng.choice(len(others), size=10, replace=False), start=1):
                out.writerow([la, la_name, rank, others[pick][0], others[pick][1]])
    with (OUT / "population.csv").open("w", newline="") as handle:  # the shape of the ONS's mid-year estimates
        out = csv.writer(handle)
        out.writerow(["time_period", "new_la_code", "la_name", "population_0_17"])
        sizes = np.random.default_rng(2019).integers(25_000, 300_000, size=len(authorities))
        for year in POPULATION_YEARS:
            for (la, la_name, *_), size in zip(authorities, sizes, strict=True):
                # Kent's made up to match the sample's 1,500 or so children looked after (about 65 per 10,000)
                base = 235_000 if la == "E10000016" else int(size)
                out.writerow([year, la, la_name, base + 150 * (int(year) - 2017)])
    print(f"wrote {OUT / 'la_indicators.csv'}, {OUT / 'statistical_neighbours.csv'} and {OUT / 'population.csv'}")


if __name__ == "__main__":
    main()
