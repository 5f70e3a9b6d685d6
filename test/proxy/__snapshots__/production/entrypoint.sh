#!/bin/sh
# The image's entrypoint: runs nginx (exec, so nginx is the container's main process and gets its signals) and,
# beside it, opens the health checks only once nginx can forward to every HTTP service.
#
# Upstream servers with `resolve` start without an address: until nginx's own first lookup of a Lattice name
# answers, requests for that service get 502 ("no live upstreams"). The health locations answer 503 while the
# ready file is missing. This check asks nginx, on the loopback health listener, which address it would forward
# each service to; once every service has one (the first lookups are done), it creates the file. Bounded: after
# the wait it opens the health checks anyway and logs a warning, so a resolver outage leaves the unresolved
# services at 502, as on the running tasks, instead of tasks that never start. Needs only sh and curl (the
# official image has both).
rm -f /tmp/nginx/ready
(
  deadline=$(($(date +%s) + 15))
  for service in orders status-page; do
    # A peer address carries a port ("10.0.0.1:80"); without one, nginx names the upstream block instead.
    until curl -s -o /dev/null -D - --max-time 5 http://127.0.0.1:8081/upstream/$service 2>/dev/null |
      grep -qi '^x-upstream-address: [^ ]*:'; do
      if [ "$(date +%s)" -ge "$deadline" ]; then
        echo "lattice-ingress: health checks open although nginx has no address for $service after 15 s" >&2
        break 2
      fi
      sleep 0.1
    done
  done
  : >/tmp/nginx/ready
) &
exec "$@"
