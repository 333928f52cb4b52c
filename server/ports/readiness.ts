/**
 * A readiness check: one named probe of a store or a connection. The health plugin runs them;
 * the runtime, the Twitch edge and the monitoring gauges provide them, so the type sits below
 * all of them.
 */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}
