#!/usr/bin/env python3
"""The per-service CPU and memory limits of the challenge compose: the one place they are
written (deploy/docker-compose.yml, deploy.resources.limits). The local tools read them here.

Usage: compose-limits.py [COMPOSE_FILE]        -> one line per service: "name cpus mem_mb"
       compose-limits.py --lb [COMPOSE_FILE]   -> the load balancer the `lb` service runs:
                                                  haproxy or nginx
COMPOSE_FILE defaults to deploy/docker-compose.yml beside this script. cpus is a decimal
(e.g. 0.40), mem_mb whole MiB (compose reads "MB" as MiB). Exits 1, with the reason on
stderr, when a service has no limits or the sums exceed the challenge's 1.5 CPU / 350 MB
(the lines are printed all the same), and when the file has no `lb` service.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "deploy"))
import check_compose_rules as rules  # noqa: E402  (its parsing and limits: one definition)

DEFAULT_COMPOSE = os.path.join(HERE, "..", "deploy", "docker-compose.yml")
LB_SERVICE = "lb"
LB_KINDS = ("haproxy", "nginx")


def fail(msg):
    print(f"compose-limits: {msg}", file=sys.stderr)
    return 1


def lb_kind(service):
    """haproxy or nginx, from the lb service's command (its program), else its image name."""
    command = service.get("command") or []
    words = command.split() if isinstance(command, str) else [str(w) for w in command]
    candidates = [os.path.basename(words[0])] if words else []
    candidates.append(str(service.get("image") or ""))
    for text in candidates:
        for kind in LB_KINDS:
            if kind in text:
                return kind
    return None


def main(argv):
    args = argv[1:]
    want_lb = bool(args) and args[0] == "--lb"
    if want_lb:
        args = args[1:]
    if len(args) > 1 or (args and args[0].startswith("-")):
        print(__doc__, file=sys.stderr)
        return 2
    path = args[0] if args else DEFAULT_COMPOSE
    try:
        doc = rules.load(path)
    except OSError as e:
        return fail(f"cannot read {path}: {e}")
    services = (doc or {}).get("services") if isinstance(doc, dict) else None
    if not isinstance(services, dict) or not services:
        return fail(f"{path}: no services")
    if LB_SERVICE not in services:
        return fail(f"{path}: no service named '{LB_SERVICE}' (the load balancer; the local tools "
                    f"name pid files and cgroups after the compose services)")

    if want_lb:
        kind = lb_kind(services[LB_SERVICE] or {})
        if kind is None:
            return fail(f"{path}: service '{LB_SERVICE}' runs neither {' nor '.join(LB_KINDS)} "
                        f"(judged by its command, then its image)")
        print(kind)
        return 0

    status, total_cpus, total_mem = 0, rules.Decimal(0), 0
    for name, svc in services.items():
        limits = ((((svc or {}).get("deploy") or {}).get("resources") or {}).get("limits")) or {}
        cpus, mem = rules.parse_cpus(limits.get("cpus")), rules.parse_memory(limits.get("memory"))
        if cpus is None or mem is None or mem <= 0:
            status = fail(f"{path}: service {name} has no valid deploy.resources.limits cpus + memory")
            continue
        total_cpus += cpus
        total_mem += mem
        print(f"{name} {cpus} {mem // rules.MIB}")
    if total_cpus > rules.MAX_CPUS or total_mem > rules.MAX_MEMORY_BYTES:
        status = fail(f"{path}: the services total {total_cpus} CPU / {total_mem / rules.MIB:.0f} MB, over the "
                      f"challenge's {rules.MAX_CPUS} CPU / {rules.MAX_MEMORY_BYTES // rules.MIB} MB: "
                      f"refusing to measure a split that cannot be submitted")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
