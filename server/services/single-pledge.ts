/**
 * One pledge written on its own, inside the caller's transaction: a proposal's opening pledge.
 * The wallet is locked, the pledge decided against its balance (server/domain/pledge-rules.ts,
 * the same rules the micro-batcher applies), then debited, escrowed and journaled.
 */
import type { Executor } from '../../db/client.js';
import type { MissionRow } from '../../db/schema.js';
import { actorLabel, identitySource, type Actor, type ChatUser } from '../domain/actor.js';
import { errors } from '../domain/errors.js';
import { decidePledge, type AmountInput } from '../domain/pledge-rules.js';
import { escrowOf, lockWallet } from '../ledger/accounts.js';
import { applyDeltas, debitIfCovered, insertJournal } from '../ledger/transfers.js';
import { hasPledged, insertPledge } from '../repositories/missions-repository.js';
import type { Channel } from './channels.js';
import { ensureViewer } from './viewers.js';

/**
 * Moves `amountInput` from the viewer's wallet into the mission's escrow as a new pledge. The
 * debit is a conditional update as well, so even a caller that skipped the lock cannot overdraw.
 */
export async function writeSinglePledge(
  tx: Executor,
  channel: Channel,
  mission: MissionRow,
  user: ChatUser,
  amountInput: AmountInput,
  actor: Actor,
  idempotencyKey: string | null,
) {
  const walletId = await ensureViewer(tx, channel, user, identitySource(actor));
  const balance = await lockWallet(tx, walletId);
  const decision = decidePledge(amountInput, balance, channel.settings);
  if (!decision.ok) throw decision.error;
  const { amount } = decision;
  const newBalance = await debitIfCovered(tx, walletId, amount);
  if (newBalance === null) throw errors.insufficientFunds(balance, amount);
  const firstPledge = !(await hasPledged(tx, mission.id, user.userId));
  const pledge = await insertPledge(tx, {
    channelId: channel.id,
    missionId: mission.id,
    userId: user.userId,
    amount,
    idempotencyKey,
  });
  const escrow = await escrowOf(tx, mission.id);
  await applyDeltas(tx, new Map([[escrow.id, amount]]));
  await insertJournal(tx, channel.id, [
    {
      from: walletId,
      to: escrow.id,
      amount,
      kind: 'pledge',
      missionId: mission.id,
      pledgeId: pledge.id,
      actor: actorLabel(actor),
      idempotencyKey,
    },
  ]);
  return { pledge, firstPledge, balance: newBalance };
}
