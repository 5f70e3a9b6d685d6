// The proxy container as the CDK app, the renderer and the local stack all see it: its ports, its health path, and
// how long it takes to stop.

/**
 * Ports inside the proxy container. The image runs as non-root, so it listens above 1024; the NLB listeners on
 * 80 and 443 forward to http and tls. The NLB's health checks get their own port because, with proxy protocol on,
 * the NLB sends a PROXY v2 header (command LOCAL) in front of them too; `health` is the container's own check,
 * plain HTTP on loopback.
 */
export const PROXY_CONTAINER_PORTS = {
  http: 8080,
  tls: 8443,
  loadBalancerHealth: 8082,
  health: 8081,
} as const;
export const HEALTH_CHECK_PATH = '/healthz';

/**
 * After SIGQUIT, how long nginx lets open connections finish before closing them (worker_shutdown_timeout). ECS
 * sends SIGQUIT once the load balancer has drained the task.
 */
export const NGINX_SHUTDOWN_SECONDS = 50;
/**
 * ECS's stopTimeout, SIGQUIT to SIGKILL: nginx's own shutdown plus time for the master to reap its workers and
 * flush the logs, so an nginx that honours its timeout is never killed mid-shutdown.
 */
export const TASK_STOP_TIMEOUT_SECONDS = NGINX_SHUTDOWN_SECONDS + 10;
