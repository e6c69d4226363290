#!/usr/bin/python3
"""Reads the Prometheus text exposition format on stdin with the
prometheus_client parser (python3-prometheus-client) and prints each
sample as `name{label="value",...} value`, labels sorted, so that shell
tests can pick series with grep. A format error exits 1 naming it."""
import sys

from prometheus_client.parser import text_string_to_metric_families

try:
    text = sys.stdin.read()
    families = list(text_string_to_metric_families(text))
except Exception as e:  # the parser raises ValueError and others
    print(f"promparse: not the text format: {e}", file=sys.stderr)
    sys.exit(1)
types = {}
for fam in families:
    types[fam.name] = fam.type
    for s in fam.samples:
        labels = ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items()))
        value = int(s.value) if float(s.value).is_integer() else s.value
        print(f"{s.name}{{{labels}}} {value}")
for name, t in sorted(types.items()):
    print(f"# {name} {t}")
