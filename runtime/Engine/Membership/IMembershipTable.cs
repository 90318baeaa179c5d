namespace OrleansTenancy.Runtime.Membership;

/// <summary>Where a silo is in its life. Only moves forward; a Dead silo never returns (a restart is a new generation).</summary>
public enum SiloStatus
{
    /// <summary>Starting; not yet given grains.</summary>
    Joining,

    /// <summary>Serving; part of the placement ring.</summary>
    Active,

    /// <summary>Stopping gracefully; no new grains are placed on it.</summary>
    ShuttingDown,

    /// <summary>Gone (stopped, or declared dead by the others).</summary>
    Dead,
}

/// <summary>One silo's row in the membership table.</summary>
/// <param name="Silo">The silo's address.</param>
/// <param name="Status">Its status.</param>
/// <param name="IAmAliveTime">When it last reported itself alive.</param>
/// <param name="SuspectingSilos">Silos currently suspecting it (used by failure detection).</param>
public sealed record MembershipEntry(SiloAddress Silo, SiloStatus Status, DateTimeOffset IAmAliveTime, IReadOnlyList<SiloAddress> SuspectingSilos)
{
    /// <summary>Creates an entry without suspicions.</summary>
    public MembershipEntry(SiloAddress silo, SiloStatus status, DateTimeOffset iAmAliveTime)
        : this(silo, status, iAmAliveTime, [])
    {
    }
}

/// <summary>The whole table at one version.</summary>
/// <param name="Version">Increases by one with every successful write.</param>
/// <param name="Entries">All rows, dead ones included.</param>
public sealed record MembershipTableSnapshot(long Version, IReadOnlyList<MembershipEntry> Entries);

/// <summary>
/// The seam for membership storage (in-memory here; Redis and PostgreSQL providers plug in behind it).
/// Every write is conditional on the table version the writer read, so concurrent status changes (two
/// silos voting the same suspect dead, a silo joining while another leaves) serialize instead of
/// overwriting each other.
/// </summary>
public interface IMembershipTable
{
    /// <summary>Reads all rows and the table version.</summary>
    Task<MembershipTableSnapshot> ReadAllAsync(CancellationToken cancellationToken);

    /// <summary>Inserts or replaces the row of <see cref="MembershipEntry.Silo"/> if the table is still at <paramref name="expectedVersion"/>.</summary>
    /// <returns>False when the version moved on: re-read and retry.</returns>
    Task<bool> TryWriteAsync(MembershipEntry entry, long expectedVersion, CancellationToken cancellationToken);
}

/// <summary>Optional capability of a membership table that can tell readers it changed (otherwise they poll).</summary>
public interface IMembershipChangeNotifier
{
    /// <summary>Raised after every successful write.</summary>
    event Action? Changed;
}
