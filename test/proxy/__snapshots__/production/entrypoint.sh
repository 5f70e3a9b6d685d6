#!/bin/sh
# The image's entrypoint: runs nginx (exec, so nginx is the container's main process and gets its signals) and,
# beside it, opens the health checks only once nginx can forward to every service.
#
# Upstream servers with `resolve` start without an address: until nginx's own first lookup of a Lattice name
# answers, requests for that service get 502 ("no live upstreams") and its TLS connections are closed. The health
# locations answer 503 while the ready file is missing. This check asks nginx which address it would forward each
# service to (HTTP: on the loopback health listener; TLS: through the service's probe socket, whose log line names
# the address); once every service has one (the first lookups are done), it creates the file. Bounded: after the
# wait it opens the health checks anyway and logs a warning, so a resolver outage leaves the unresolved services
# failing, as on the running tasks, instead of tasks that never start. Needs only sh and curl (the official image
# has both).
# The volume may hold a previous run's files: a ready file, or a probe log naming an address from then.
rm -f /tmp/nginx/ready /tmp/nginx/tls-probe-*.log
(
  # A peer address carries a port ("10.0.0.1:80"); without one, nginx names the upstream block instead.
  http_has_address() {
    curl -s -o /dev/null -D - --max-time 5 http://127.0.0.1:8081/upstream/$1 2>/dev/null |
      grep -qi '^x-upstream-address: [^ ]*:'
  }
  # The probe connection carries nothing; nginx closes it once idle and logs the address it forwarded to.
  tls_has_address() {
    curl -s -o /dev/null --max-time 5 --unix-socket /tmp/nginx/tls-probe-$1.sock telnet://probe </dev/null 2>/dev/null
    grep -qs ':' /tmp/nginx/tls-probe-$1.log
  }
  deadline=$(($(date +%s) + 15))
  for check in http:orders http:status-page tls:orders tls:inventory tls:status-page; do
    listener=${check%%:*}
    service=${check#*:}
    until "${listener}_has_address" "$service"; do
      if [ "$(date +%s)" -ge "$deadline" ]; then
        echo "lattice-ingress: health checks open although nginx has no address for $service ($listener) after 15 s" >&2
        break 2
      fi
      sleep 0.1
    done
  done
  : >/tmp/nginx/ready
) &
exec "$@"
