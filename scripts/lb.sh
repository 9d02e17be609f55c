#!/usr/bin/env bash
# The load balancer outside Docker, from the deployed configs: sourced by scripts/stack.sh
# and scripts/hop-cost.sh. deploy/haproxy.cfg and deploy/nginx.conf are the files
# docker-compose.yml mounts; a local run renders them changing only what differs outside
# Docker: the listen port, the upstream addresses (unix sockets or loopback ports instead of
# api1:8080 and api2:8080, as many as given) and, for nginx, the pid and temp paths (in the
# run dir) and, as root, the workers' user (so they reach sockets below a private folder).
# Functions: lb_default, lb_valid KIND, lb_render KIND PORT DIR ADDR..., lb_command KIND CONF DIR,
#            lb_prepare KIND PORT DIR ADDR...

lb_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# lb_default: the program of the compose's `lb` service (haproxy or nginx).
lb_default() { python3 "$lb_root/scripts/compose-limits.py" --lb; }

lb_valid() {
  case $1 in haproxy|nginx) return 0;; esac
  echo "$(basename "$0"): LB must be haproxy or nginx, not '$1'" >&2
  return 2
}

# lb_render KIND PORT DIR ADDR...: deploy/haproxy.cfg or deploy/nginx.conf listening on PORT,
# with one upstream server per ADDR (unix:/path or host:port) in place of the compose's,
# on stdout. DIR holds nginx's pid file and temp files. Fails (exit 3) if the deploy file no
# longer has the lines it rewrites, rather than render something that is not the deploy's.
lb_render() {
  local kind=$1 port=$2 dir=$3; shift 3
  lb_valid "$kind" || return 2
  case $kind in
    haproxy)
      awk -v port="$port" -v addrs="$*" '
        BEGIN { n = split(addrs, a, " ") }
        $1 == "bind" { if (sub(/:9999/, ":" port)) binds++ }
        $1 == "server" {
          if (!servers++) {
            match($0, /^[ \t]*/); indent = substr($0, 1, RLENGTH)
            rest = ""; for (i = 4; i <= NF; i++) rest = rest " " $i
            for (k = 1; k <= n; k++) {
              addr = a[k]; sub(/^unix:/, "unix@", addr)
              print indent "server api" k " " addr rest
            }
          }
          next
        }
        { print }
        END { if (binds != 1 || !servers) { print "lb_render: deploy/haproxy.cfg has no single `bind ...:9999` or no `server` line" > "/dev/stderr"; exit 3 } }' \
        "$lb_root/deploy/haproxy.cfg";;
    nginx)
      awk -v port="$port" -v dir="$dir" -v addrs="$*" '
        BEGIN { n = split(addrs, a, " ") }
        $1 == "pid" { print "pid " dir "/nginx.pid.master;"; pids++; next }
        $1 == "listen" { if (sub(/listen[ \t]+9999/, "listen " port)) listens++ }
        $1 == "server" && $2 != "{" {
          if (!servers++) {
            match($0, /^[ \t]*/); indent = substr($0, 1, RLENGTH)
            rest = ""; for (i = 3; i <= NF; i++) rest = rest " " $i
            if ($2 ~ /;$/) rest = ";"
            for (k = 1; k <= n; k++) print indent "server " a[k] rest
          }
          next
        }
        { print }
        $1 == "http" && $2 == "{" {
          http++
          split("client_body proxy fastcgi uwsgi scgi", t, " ")
          for (i = 1; i <= 5; i++) print "    " t[i] "_temp_path " dir "/nginx-tmp/" t[i] ";"
        }
        END { if (pids != 1 || listens != 1 || !servers || http != 1) { print "lb_render: deploy/nginx.conf has no single pid, `listen 9999`, `http {` or no upstream `server` line" > "/dev/stderr"; exit 3 } }' \
        "$lb_root/deploy/nginx.conf";;
  esac
}

# lb_command KIND CONF DIR: sets LB_CMD to the foreground command running CONF (a rendered
# config) with DIR as nginx's prefix; its pid is the whole haproxy, or nginx's master.
lb_command() {
  local kind=$1 conf=$2 dir=$3
  lb_valid "$kind" || return 2
  case $kind in
    haproxy) LB_CMD=(haproxy -db -f "$conf");;
    nginx)
      mkdir -p "$dir/nginx-tmp"
      local g="daemon off;"
      # Workers run as the invoking user: as root, nginx would otherwise drop them to nobody,
      # who cannot reach unix sockets below a private (0700) folder.
      [ "$(id -u)" -eq 0 ] && g+=" user $(id -un) $(id -gn);"
      LB_CMD=(nginx -c "$conf" -p "$dir/nginx-tmp" -g "$g");;
  esac
}

# lb_prepare KIND PORT DIR ADDR...: renders the deployed config into DIR (haproxy.cfg or
# nginx.conf, listening on PORT, one upstream per ADDR) and sets LB_CMD to run it; fails as
# lb_render does. What every tool that starts a load balancer does first.
lb_prepare() {
  local kind=$1 port=$2 dir=$3; shift 3
  local conf=$dir/$([ "$kind" = haproxy ] && echo haproxy.cfg || echo nginx.conf)
  lb_render "$kind" "$port" "$dir" "$@" >"$conf" || return
  lb_command "$kind" "$conf" "$dir"
}
