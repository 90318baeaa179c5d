using OrleansTenancy.Grains.Persistence;

namespace OrleansTenancy.Grains.Routing;

/// <summary>When a silo may answer a call whose settlement is on its way to the tenant grain.</summary>
public sealed class SettlementOptions
{
    /// <summary>
    /// Answer once the settlement is kept in the silo's <see cref="ISettlementOutbox"/> (a durable, group-committed
    /// write), and let the tenant grain store it behind the answer; <see langword="false"/> (the default): answer once
    /// the tenant grain has stored it, or once it is kept after that failed. Only where the silo that keeps a
    /// settlement is the one that starts again on its outbox (a single silo, <see cref="SettlementJournal"/>): a
    /// cluster's silo may never come back.
    /// </summary>
    public bool AnswerOnceKept { get; set; }

    /// <summary>
    /// With <see cref="AnswerOnceKept"/>: how long a tenant grain may hold a kept settlement to store it together with
    /// the next ones (<see cref="GroupCommitter"/>), so that a busy tenant stores many calls per write. Default 10 ms;
    /// zero stores each with the grain's next write. A grant, a read of usage or a deactivation stores it at once.
    /// </summary>
    public TimeSpan StoreKeptWithin { get; set; } = DefaultStoreKeptWithin;

    /// <summary>The default of <see cref="StoreKeptWithin"/>.</summary>
    public static readonly TimeSpan DefaultStoreKeptWithin = TimeSpan.FromMilliseconds(10);

    /// <summary>What a settle sent to a tenant grain says about waiting for other changes: see <see cref="StoreKeptWithin"/>.</summary>
    public TimeSpan StoreWithin => AnswerOnceKept && StoreKeptWithin > TimeSpan.Zero ? StoreKeptWithin : TimeSpan.Zero;
}
