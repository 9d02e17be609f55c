#!/usr/bin/env bash
# The deployed load-balancer configs, rendered as the local stack renders them
# (scripts/lb.sh): HAProxy and nginx accept them (haproxy -c, nginx -t), the render changes
# only the port and the upstream lines, and each keeps what the deploy promises (the 413
# JSON answer, retries only on connection failure).
# usage: lb_configs_test.sh <project source dir>
set -euo pipefail
src=$1
tmp=$(mktemp -d /tmp/rinha-lb-configs.XXXXXX)
chmod 700 "$tmp"
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# shellcheck source=scripts/lb.sh
source "$src/scripts/lb.sh"

lb_render haproxy 19999 "$tmp" "unix:$tmp/api1.sock" 127.0.0.1:3002 >"$tmp/haproxy.cfg"
haproxy -c -f "$tmp/haproxy.cfg" >"$tmp/haproxy.out" 2>&1 || { cat "$tmp/haproxy.out"; fail "haproxy -c"; }
grep -i warn "$tmp/haproxy.out" && fail "haproxy warns about the deployed config"
grep -q "server api1 unix@$tmp/api1.sock" "$tmp/haproxy.cfg" && grep -q 'server api2 127.0.0.1:3002' "$tmp/haproxy.cfg" \
  && grep -q 'bind :19999' "$tmp/haproxy.cfg" || fail "haproxy render: port or servers not replaced"
diff <(grep -v -e '^ *server ' -e '^ *bind ' "$src/deploy/haproxy.cfg") <(grep -v -e '^ *server ' -e '^ *bind ' "$tmp/haproxy.cfg") \
  || fail "the haproxy render changed more than bind and server lines"
grep -q '^ *retry-on conn-failure$' "$tmp/haproxy.cfg" || fail "haproxy: retry-on must stay conn-failure (a POST is never resent)"
grep -q "'{\"error\":\"request too large\"}'" "$tmp/haproxy.cfg" || fail "haproxy: no JSON 413"
echo "haproxy: rendered deploy/haproxy.cfg is valid"

lb_render nginx 19999 "$tmp" "unix:$tmp/api1.sock" 127.0.0.1:3002 127.0.0.1:3003 >"$tmp/nginx.conf"
lb_command nginx "$tmp/nginx.conf" "$tmp"
nginx -t -q -c "$tmp/nginx.conf" -p "$tmp/nginx-tmp" -g "${LB_CMD[-1]}" 2>"$tmp/nginx.out" || { cat "$tmp/nginx.out"; fail "nginx -t"; }
[ "$(grep -c '^ *server [u1]' "$tmp/nginx.conf")" -eq 3 ] && grep -q 'listen 19999 ' "$tmp/nginx.conf" \
  && grep -q "pid $tmp/nginx.pid.master;" "$tmp/nginx.conf" || fail "nginx render: port, pid or servers not replaced"
grep -q 'return 413 .{"error":"request too large"}' "$tmp/nginx.conf" || fail "nginx: no JSON 413"
grep -q '^ *proxy_next_upstream error;' "$tmp/nginx.conf" || fail "nginx: retries must stay on connection errors only"
echo "nginx: rendered deploy/nginx.conf is valid"

# The compose mounts the file the local stack renders, for the lb it runs.
kind=$(lb_default)
file=nginx.conf; [ "$kind" = haproxy ] && file=haproxy.cfg
grep -q "\./$file:" "$src/deploy/docker-compose.yml" || fail "the compose's lb ($kind) does not mount deploy/$file"
echo "lb configs OK (compose lb: $kind)"
