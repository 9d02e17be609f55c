#!/usr/bin/env python3
"""Checks a docker-compose file against the challenge's deployment rules (SPEC.md section 5).

Usage: check_compose_rules.py COMPOSE_FILE            -> exit 0 if it obeys every rule
       check_compose_rules.py --self-test COMPOSE_FILE -> the file passes AND each broken copy
                                                         of it (one rule violated) fails
Rules: every service has deploy.resources.limits cpus+memory; sums <= 1.5 CPU and 350 MB;
the load balancer (not an API) publishes 9999; >= 2 API services, all on the external network
payment-processor; bridge networking only; no privileged; no replicas/scale.
An API service is one with APP_NAME in its environment (our convention; see the compose).
"""
import copy
import os
import re
import subprocess
import sys
import tempfile
from decimal import Decimal, InvalidOperation

try:
    import yaml
except ImportError:  # a check that silently passes would be worse than a clear failure
    sys.exit("check_compose_rules: PyYAML missing (apt-get install python3-yaml)")

MAX_CPUS = Decimal("1.5")
MIB = 1024 * 1024
MAX_MEMORY_BYTES = 350 * MIB      # compose reads "MB" as MiB (go-units RAMInBytes)
LB_PORT = 9999
PROCESSOR_NETWORK = "payment-processor"

_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "m": MIB, "mb": MIB,
          "g": 1024 * MIB, "gb": 1024 * MIB}


def parse_memory(value):
    """'100MB', '50m', '1g', 1048576 -> bytes; None if unparseable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", str(value))
    if not m or m.group(2).lower() not in _UNITS:
        return None
    return int(Decimal(m.group(1)) * _UNITS[m.group(2).lower()])


def parse_cpus(value):
    if isinstance(value, bool):
        return None
    try:
        cpus = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return cpus if cpus > 0 else None


def env_names(service):
    env = service.get("environment") or {}
    if isinstance(env, dict):
        return set(env)
    return {str(item).split("=", 1)[0] for item in env}


def service_networks(service):
    nets = service.get("networks") or []
    return set(nets) if isinstance(nets, (dict, list)) else set()


def published_host_ports(service):
    """Host-side ports of a service's `ports:` (short or long syntax)."""
    out = set()
    for p in service.get("ports") or []:
        if isinstance(p, dict):
            if p.get("published") is not None:
                out.add(int(str(p["published"]).split("-")[0]))
            continue
        spec = str(p).split("/")[0]
        parts = spec.split(":")
        if len(parts) >= 2:          # [ip:]host:container
            host = parts[-2]
            if host.isdigit():
                out.add(int(host))
    return out


def network_external_name(networks, key):
    """The real name of a top-level network if it is external, else None."""
    net = (networks or {}).get(key)
    if not isinstance(net, dict):
        return None
    ext = net.get("external")
    if ext is True:
        return net.get("name", key)
    if isinstance(ext, dict):      # legacy `external: {name: x}`
        return ext.get("name", key)
    return None


def check(doc):
    """All rule violations of a parsed compose document, as 'rule: detail' strings."""
    errors = []
    if not isinstance(doc, dict) or not isinstance(doc.get("services"), dict) or not doc["services"]:
        return ["structure: no services"]
    services = doc["services"]
    networks = doc.get("networks") or {}

    total_cpus, total_mem = Decimal(0), 0
    for name, svc in services.items():
        svc = svc or {}
        limits = (((svc.get("deploy") or {}).get("resources") or {}).get("limits")) or {}
        cpus, mem = parse_cpus(limits.get("cpus")), parse_memory(limits.get("memory"))
        if cpus is None:
            errors.append(f"limits: {name} has no valid deploy.resources.limits.cpus")
        else:
            total_cpus += cpus
        if mem is None or mem <= 0:
            errors.append(f"limits: {name} has no valid deploy.resources.limits.memory")
        else:
            total_mem += mem
        if (svc.get("deploy") or {}).get("replicas") is not None or "scale" in svc:
            errors.append(f"replicas: {name} sets replicas/scale")
        if svc.get("privileged"):
            errors.append(f"privileged: {name} is privileged")
        mode = svc.get("network_mode")
        if mode is not None and mode != "bridge":
            errors.append(f"network: {name} uses network_mode {mode!r}")

    if total_cpus > MAX_CPUS:
        errors.append(f"cpu-total: {total_cpus} CPUs > {MAX_CPUS}")
    if total_mem > MAX_MEMORY_BYTES:
        errors.append(f"memory-total: {total_mem / MIB:.1f} MB > {MAX_MEMORY_BYTES // MIB} MB")

    apis = sorted(n for n, s in services.items() if "APP_NAME" in env_names(s or {}))
    if len(apis) < 2:
        errors.append(f"api-count: {len(apis)} API services (with APP_NAME), need >= 2")

    lbs = sorted(n for n, s in services.items() if LB_PORT in published_host_ports(s or {}))
    if len(lbs) != 1:
        errors.append(f"port-9999: published by {lbs or 'no service'}, need exactly one")
    elif lbs[0] in apis:
        errors.append(f"port-9999: published by API service {lbs[0]}, not a load balancer")

    proc_keys = {k for k in networks if network_external_name(networks, k) == PROCESSOR_NETWORK}
    if not proc_keys:
        errors.append(f"processor-network: no external network named {PROCESSOR_NETWORK}")
    for api in apis:
        if not service_networks(services[api] or {}) & proc_keys:
            errors.append(f"processor-network: API {api} is not on {PROCESSOR_NETWORK}")

    for key, net in networks.items():
        driver = (net or {}).get("driver") if isinstance(net, dict) else None
        if driver not in (None, "bridge"):
            errors.append(f"network: network {key} uses driver {driver!r}")
    return errors


def load(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


# Each broken copy violates one rule; the check must report that rule.
def _api_names(doc):
    return [n for n, s in doc["services"].items() if "APP_NAME" in env_names(s or {})]


def _lb_name(doc):
    return next(n for n, s in doc["services"].items() if LB_PORT in published_host_ports(s or {}))


def _limits(doc, name):
    return doc["services"][name]["deploy"]["resources"]["limits"]


def _first(doc):
    return next(iter(doc["services"]))


MUTATIONS = {
    "cpu-total": lambda d: _limits(d, _first(d)).update(cpus="1.0"),
    "memory-total": lambda d: _limits(d, _first(d)).update(memory="200MB"),
    "memory-total (GB unit)": lambda d: _limits(d, _first(d)).update(memory="1GB"),
    "limits": lambda d: d["services"][_first(d)]["deploy"]["resources"]["limits"].pop("memory"),
    "limits (no deploy)": lambda d: d["services"][_first(d)].pop("deploy"),
    "port-9999": lambda d: d["services"][_lb_name(d)].pop("ports"),
    "port-9999 (on an API)": lambda d: (d["services"][_lb_name(d)].pop("ports"),
                                        d["services"][_api_names(d)[0]].update(ports=["9999:8080"])),
    "api-count": lambda d: d["services"].pop(_api_names(d)[1]),
    "network": lambda d: d["services"][_first(d)].update(network_mode="host"),
    "network (driver)": lambda d: d["networks"].update(extra={"driver": "host"}),
    "privileged": lambda d: d["services"][_first(d)].update(privileged=True),
    "replicas": lambda d: d["services"][_api_names(d)[0]]["deploy"].update(replicas=2),
    "processor-network": lambda d: d["services"][_api_names(d)[0]].update(networks=["backend"]),
    "processor-network (not external)": lambda d: d["networks"].update({PROCESSOR_NETWORK: {"driver": "bridge"}}),
}


def self_test(path):
    failures = []
    original = load(path)
    base_errors = check(original)
    if base_errors:
        failures.append(f"the real file must pass, got {base_errors}")
    for label, mutate in MUTATIONS.items():
        doc = copy.deepcopy(original)
        mutate(doc)
        rule = label.split(" ")[0]
        errs = check(doc)
        if not any(e.startswith(rule + ":") for e in errs):
            failures.append(f"broken copy '{label}' was not caught (got {errs})")
    # And through the command line, as CTest runs it: a broken file on disk exits non-zero.
    doc = copy.deepcopy(original)
    MUTATIONS["cpu-total"](doc)
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
        yaml.safe_dump(doc, f)
        broken_path = f.name
    try:
        run = subprocess.run([sys.executable, os.path.abspath(__file__), broken_path],
                             capture_output=True, text=True)
        if run.returncode == 0 or "cpu-total" not in run.stdout:
            failures.append(f"CLI passed a broken file (rc={run.returncode}, out={run.stdout!r})")
    finally:
        os.unlink(broken_path)
    for f in failures:
        print("SELF-TEST FAIL:", f)
    print(f"self-test: {len(MUTATIONS) + 1} broken copies, {len(failures)} problems")
    return 1 if failures else 0


def main(argv):
    if len(argv) == 3 and argv[1] == "--self-test":
        return self_test(argv[2])
    if len(argv) != 2:
        print(__doc__)
        return 2
    errors = check(load(argv[1]))
    for e in errors:
        print("VIOLATION", e)
    print(f"compose rules: {argv[1]}: {'OK' if not errors else f'{len(errors)} violation(s)'}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
