// Leader election metrics as a swappable provider (client-go's leaderelection metrics):
// leader_election_master_status{name} is 1 while this process leads. No-ops until a
// component wires it to Prometheus (component/metrics.ts).

export interface LeaderElectionMetrics {
  leaderOn(name: string): void;
  leaderOff(name: string): void;
}

const noop: LeaderElectionMetrics = { leaderOn() {}, leaderOff() {} };

let provider: LeaderElectionMetrics = noop;

export function setLeaderElectionMetrics(p: LeaderElectionMetrics | undefined): void {
  provider = p ?? noop;
}

export function leaderElectionMetrics(): LeaderElectionMetrics {
  return provider;
}
