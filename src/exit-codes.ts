// The exit codes faultline ends with (sysexits.h where one fits), shared by the commands and the demo.

export const EXIT = {
  ok: 0,
  failed: 1,
  /** `faultline train`: fewer labelled samples than model.min_samples. */
  notEnoughData: 3,
  /** EX_USAGE: a wrong option or argument. */
  usage: 64,
  /** EX_UNAVAILABLE: `check-config --probe` could not reach the broker, or it refused us. */
  unavailable: 69,
  /** EX_CONFIG: the config is wrong; systemd does not restart on it (RestartPreventExitStatus=78). */
  config: 78,
} as const;
