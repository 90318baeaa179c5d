using System.Globalization;

namespace OrleansTenancy.Tenancy.Budget;

/// <summary>
/// Lets a tenant return a grant before the state write that holds it, while every call in flight stays held by
/// durable state. Not thread-safe: use it on the same single thread of control as the <see cref="BudgetAccount"/>.
/// </summary>
/// <remarks>
/// <para><b>How.</b> Every state write carries, besides the open reservations, one cover per busy workspace: budget
/// held ahead of demand (<see cref="BudgetAccount.TryPlaceCover"/>). The cover is placed right before the state is
/// copied for serialisation and removed right after (<see cref="Place"/>, <see cref="Remove"/>), so it exists in
/// storage only. Once that write is durable, a grant that fits in what its cover has left is <em>covered</em>
/// (<see cref="TryCover"/>): it may be returned at once, and the next write stores it as an open reservation. A grant
/// must also fit in the cover of every write still in flight, because each of those replaces the durable state when
/// it lands.</para>
/// <para><b>Crash.</b> If the process stops before the grant's own write, the state loaded from storage holds the
/// cover, as an open reservation, until the cover expires: at least as much budget, for at least as long, as the
/// grant it stands for (the cover lives the reservation TTL plus <see cref="Window"/>, and covers only grants that
/// expire no later than it does, so it is used within <see cref="Window"/> of being written). That is what a durable grant gives, so hard limits hold across a crash.
/// After a clean stop no cover is stored (<see cref="Place"/> with <c>none</c>).</para>
/// <para><b>Limits.</b> A cover is placed only where spent + reserved + cover stays within every hard limit. Grants
/// are still decided on the exact in-memory account, in which covers never appear, so a cover never causes a denial
/// and never shows in the budget status, except the covers recovered after a crash.</para>
/// <para><b>Size.</b> Twice the workspace's grants in the current and the previous <see cref="Horizon"/> (100 ms by
/// default), halved until it fits the limits. A workspace without grants for two horizons gets no cover. After a crash
/// the budget held is therefore about twice the last fifth of a second of demand, for the TTL plus
/// <see cref="Window"/>.</para>
/// </remarks>
public sealed class ReservationCover
{
    /// <summary>How long after its write a cover may be used, by default.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(5);

    /// <summary>The span of recent demand a cover is sized on, by default.</summary>
    public static readonly TimeSpan DefaultHorizon = TimeSpan.FromMilliseconds(100);

    /// <summary>The id prefix of covers.</summary>
    public const string IdPrefix = "cover:";

    // Demand per workspace in the current horizon and the one before it.
    private readonly Dictionary<string, (CoverAmount Current, CoverAmount Previous)> _demand = new(StringComparer.Ordinal);
    private DateTimeOffset _horizonStart = DateTimeOffset.MinValue;

    // Writes that neither failed nor were superseded, oldest first; the first one may be durable.
    private readonly List<Generation> _generations = [];
    private long _sequence;

    /// <summary>Creates the bookkeeping for one tenant grain activation.</summary>
    /// <param name="window">How long after its write a cover may be used; <see cref="DefaultWindow"/> when <see langword="null"/>.</param>
    /// <param name="horizon">The span of recent demand a cover is sized on; <see cref="DefaultHorizon"/> when <see langword="null"/>.</param>
    public ReservationCover(TimeSpan? window = null, TimeSpan? horizon = null)
    {
        Window = window ?? DefaultWindow;
        Horizon = horizon ?? DefaultHorizon;
        if (Window <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(window), Window, "ReservationCover window must be positive.");
        }

        if (Horizon <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(horizon), Horizon, "ReservationCover horizon must be positive.");
        }
    }

    /// <summary>How long after its write a cover may be used; it is held that much longer than the reservation TTL.</summary>
    public TimeSpan Window { get; }

    /// <summary>
    /// The span of recent demand a cover is sized on: a cover holds twice the workspace's grants of the current and the
    /// previous horizon, so it outlasts the writes in between.
    /// </summary>
    public TimeSpan Horizon { get; }

    /// <summary>Grants returned before their own write.</summary>
    public long Covered { get; private set; }

    /// <summary>Grants that had to wait for a write.</summary>
    public long Uncovered { get; private set; }

    /// <summary>Whether the latest durable write stored a cover (a clean stop must write once more without one).</summary>
    public bool DurableStateHoldsCover => _generations.Count > 0 && _generations[0].Durable && _generations[0].Remaining.Count > 0;

    /// <summary>
    /// Counts <paramref name="granted"/> as demand and, if the durable cover (and the cover of every write in flight)
    /// holds it, takes it from them.
    /// </summary>
    /// <param name="granted">A reservation just granted by the account.</param>
    /// <param name="now">The current instant.</param>
    /// <returns>Whether the grant may be returned before its own write.</returns>
    public bool TryCover(Reservation granted, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(granted);
        var amount = CoverAmount.Of(granted);
        Roll(now);
        var demand = _demand.GetValueOrDefault(granted.Workspace);
        _demand[granted.Workspace] = demand with { Current = demand.Current + amount };
        if (!Holds(granted, amount))
        {
            Uncovered++;
            return false;
        }

        foreach (var generation in _generations)
        {
            generation.Remaining[granted.Workspace] -= amount;
        }

        Covered++;
        return true;
    }

    /// <summary>
    /// Places the covers of the write about to serialise the state, in <paramref name="account"/>; call
    /// <see cref="Remove"/> right after the state is serialised or copied for it, then <see cref="Written"/> or
    /// <see cref="WriteFailed"/> when the write ends.
    /// </summary>
    /// <param name="account">The account being written.</param>
    /// <param name="rules">The tenant's effective limits; <see langword="null"/> when unknown (no cover is stored).</param>
    /// <param name="now">The current instant.</param>
    /// <param name="none">Store no cover (a clean stop).</param>
    /// <returns>The write's covers.</returns>
    public CoverSnapshot Place(BudgetAccount account, BudgetRules? rules, DateTimeOffset now, bool none = false)
    {
        ArgumentNullException.ThrowIfNull(account);
        var sequence = ++_sequence;
        var placed = new List<Reservation>();
        var remaining = new Dictionary<string, CoverAmount>(StringComparer.Ordinal);
        var (dayKey, monthKey) = rules is null ? (0, 0) : account.PeriodKeys(rules, now);
        if (!none && rules is not null)
        {
            Roll(now);
            foreach (var (workspace, demand) in _demand.OrderBy(pair => pair.Key, StringComparer.Ordinal))
            {
                var target = (demand.Current + demand.Previous).Scale(2, 1);
                var id = string.Create(CultureInfo.InvariantCulture, $"{IdPrefix}{workspace}:{now.UtcTicks}:{sequence}");
                for (var attempt = target; attempt.Executions >= 1; attempt = attempt.Scale(1, 2))
                {
                    if (account.TryPlaceCover(id, workspace, attempt, rules, now, Window) is { } cover)
                    {
                        placed.Add(cover);
                        remaining[workspace] = attempt;
                        break;
                    }
                }
            }
        }

        var heldUntil = placed.Count > 0 ? placed[0].ExpiresAt : now;
        _generations.Add(new Generation(sequence, heldUntil, dayKey, monthKey, remaining));
        return new CoverSnapshot(sequence, placed);
    }

    /// <summary>Takes the covers of <paramref name="snapshot"/> out of <paramref name="account"/> again.</summary>
    /// <param name="account">The account that was serialised.</param>
    /// <param name="snapshot">What <see cref="Place"/> returned.</param>
    public static void Remove(BudgetAccount account, CoverSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(snapshot);
        foreach (var cover in snapshot.Covers)
        {
            account.RemoveCover(cover);
        }
    }

    /// <summary>The write of <paramref name="snapshot"/> succeeded: its cover is the durable one now.</summary>
    /// <param name="snapshot">What <see cref="Place"/> returned.</param>
    public void Written(CoverSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var index = _generations.FindIndex(g => g.Sequence == snapshot.Sequence);
        if (index < 0)
        {
            return;
        }

        _generations.RemoveRange(0, index);
        _generations[0].Durable = true;
    }

    /// <summary>A write failed: what storage holds is unknown until it is read again, so nothing is covered.</summary>
    public void WriteFailed() => _generations.Clear();

    /// <summary>Starts a new horizon when the current one is over; demand older than two horizons is forgotten.</summary>
    private void Roll(DateTimeOffset now)
    {
        if (now < _horizonStart + Horizon)
        {
            return;
        }

        var skipped = now >= _horizonStart + Horizon + Horizon;
        foreach (var workspace in _demand.Keys.ToList())
        {
            var demand = _demand[workspace];
            if (skipped || demand.Current.Executions == 0)
            {
                _demand.Remove(workspace);
            }
            else
            {
                _demand[workspace] = (default, demand.Current);
            }
        }

        _horizonStart = now;
    }

    private bool Holds(Reservation granted, CoverAmount amount)
    {
        if (_generations.Count == 0 || !_generations[0].Durable)
        {
            return false;
        }

        foreach (var generation in _generations)
        {
            // The grant must not outlive the cover: this also ends a cover's use Window after its write.
            if (generation.DayKey != granted.DayKey || generation.MonthKey != granted.MonthKey || granted.ExpiresAt > generation.HeldUntil
                || !generation.Remaining.TryGetValue(granted.Workspace, out var left) || !left.Holds(amount))
            {
                return false;
            }
        }

        return true;
    }

    private sealed class Generation(long sequence, DateTimeOffset heldUntil, int dayKey, int monthKey, Dictionary<string, CoverAmount> remaining)
    {
        public long Sequence { get; } = sequence;

        public DateTimeOffset HeldUntil { get; } = heldUntil;

        public int DayKey { get; } = dayKey;

        public int MonthKey { get; } = monthKey;

        public Dictionary<string, CoverAmount> Remaining { get; } = remaining;

        public bool Durable { get; set; }
    }
}

/// <summary>The covers placed for one state write.</summary>
/// <param name="Sequence">The write's number in this activation.</param>
/// <param name="Covers">The covers, one per workspace.</param>
public sealed record CoverSnapshot(long Sequence, IReadOnlyList<Reservation> Covers);
