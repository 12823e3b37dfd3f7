---- MODULE DeadlockLemmas ----
\* Lemmas for SemiSync's NoDeadlock (ENABLED Next), written by hand from the
\* counterexamples to induction that `bmc --prove --deadlock` printed
\* (RUST_LOG=semisync_bmc::engine::prove::library=debug). Tried with
\* encodings/Lemmas.tla by the invariant search (src/engine/prove/library.rs).
\* Never trusted: each run keeps those Houdini finds inductive for its
\* configuration and re-checks the invariant with fresh solvers.
\* With them and the generated lemmas, NoDeadlock (and so FairSpec => Finish,
\* with the ranking measure) is proved on the standard configuration and on
\* 1 client, 1 request, four leader changes; each one is needed there (the
\* proof fails without it).
EXTENDS SemiSync

\* A replica at the coordinator's epoch has taken the coordinator's view.
Lemma_AtZkEpochFollowsZk ==
    \A r \in Replica : db_epoch[r] = zk_epoch =>
        (db_status[r] = dbStatusFromZK(r) /\ db_leader[r] = zk_leader)

\* A client at the current leader epoch knows the leader.
Lemma_ClientKnowsLeader ==
    \A c \in Client : client_leader_epoch[c] = zk_leader_epoch => client_leader[c] = zk_leader

\* A pending request waits at the client's leader.
Lemma_PendingAtClientLeader ==
    \A c \in Client : pending[c] # nil => pending_db[c] = client_leader[c]

\* A replica that leads itself counts its own log in full.
Lemma_LeaderCountsOwnLog ==
    \A r \in Replica : db_leader[r] = r => db_replicated[r][r] = Len(db[r])

\* While a request of the current leader epoch is pending, the leader leads
\* itself (so its replication counts are not reset)...
Lemma_PendingLeaderLeads ==
    \A c \in Client : (pending[c] # nil /\ client_leader_epoch[c] = zk_leader_epoch) =>
        db_leader[zk_leader] = zk_leader

\* ... the request is in the leader's log ...
Lemma_PendingInLeaderLog ==
    \A c \in Client : (pending[c] # nil /\ client_leader_epoch[c] = zk_leader_epoch) =>
        \E i \in DOMAIN db[zk_leader] : db[zk_leader][i] = pending[c]

\* ... and once another replica holds it, the leader has counted some other
\* replica up to it (every copy descends from a copy from the leader).
Lemma_PendingCopyCounted ==
    \A c \in Client : (pending[c] # nil /\ client_leader_epoch[c] = zk_leader_epoch) =>
        \A i \in DOMAIN db[zk_leader] : db[zk_leader][i] = pending[c] =>
            ( (\A r \in Replica \ {zk_leader} : ~(Len(db[r]) >= i /\ db[r][i] = pending[c]))
              \/ (\E r \in Replica \ {zk_leader} : db_replicated[zk_leader][r] >= i) )
====
