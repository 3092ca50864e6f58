// The broker configuration a fleet needs (issue 15), as the README's "Fleet learning" shows it: a
// line broker's bridge to the plant broker, and the ACL lines of the fleet's agents. The fleet
// tests run these very lines; test/unit/fleet/readme.test.ts checks that the README shows them.

/** The bridge section of a line broker's mosquitto.conf; with `login`, as the plant broker's user `<line>-bridge`. */
export function lineBridgeConfig(line: string, plantAddress: string, login?: { readonly password: string }): string {
  const credentials = login === undefined ? [] : [`remote_username ${line}-bridge`, `remote_password ${login.password}`];
  return [
    `connection ${line}-to-plant`,
    `address ${plantAddress}`,
    '# The fleet statistics both ways, QoS 1; nothing else leaves the line.',
    'topic faultline/fleet/# both 1',
    `remote_clientid ${line}-bridge`,
    '# Tells the plant broker this is a bridge: it keeps the retain flag and sends nothing back.',
    'try_private true',
    '# The plant keeps the subscription, and queues QoS 1 messages while the line is away.',
    'cleansession false',
    'notifications false',
    ...credentials,
  ].join('\n');
}

/** The plant broker's ACL lines for one line's bridge: the fleet's statistics both ways, nothing else. */
export function plantAcl(fleetId: string, line: string): string {
  return [`user ${line}-bridge`, `topic readwrite faultline/fleet/${fleetId}/#`].join('\n');
}

/** The ACL lines of a fleet's agents, each connecting with its agent.id as its MQTT username. */
export function fleetAcl(fleetId: string): string {
  return [
    '# Each agent publishes only its own statistics, and reads its fleet\'s.',
    `pattern write faultline/fleet/${fleetId}/%u/stats`,
    `pattern read faultline/fleet/${fleetId}/+/stats`,
  ].join('\n');
}
