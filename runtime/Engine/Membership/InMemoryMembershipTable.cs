namespace OrleansTenancy.Runtime.Membership;

/// <summary>
/// A membership table in process memory: one process, one silo, or all silos of an in-process test cluster
/// sharing one instance. Writes are conditional on the version like every provider's.
/// </summary>
public sealed class InMemoryMembershipTable : IMembershipTable, IMembershipChangeNotifier
{
    private readonly object _lock = new();
    private readonly Dictionary<SiloAddress, MembershipEntry> _entries = [];
    private long _version;

    /// <inheritdoc />
    public event Action? Changed;

    /// <inheritdoc />
    public Task<MembershipTableSnapshot> ReadAllAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(new MembershipTableSnapshot(_version, [.. _entries.Values]));
        }
    }

    /// <inheritdoc />
    public Task<bool> TryWriteAsync(MembershipEntry entry, long expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_lock)
        {
            if (_version != expectedVersion)
            {
                return Task.FromResult(false);
            }

            if (_entries.TryGetValue(entry.Silo, out var existing) && existing.Status == SiloStatus.Dead && entry.Status != SiloStatus.Dead)
            {
                throw new InvalidOperationException($"Silo {entry.Silo} is Dead in the membership table and cannot become {entry.Status}; restart it with a new generation.");
            }

            _entries[entry.Silo] = entry;
            _version++;
        }

        Changed?.Invoke();
        return Task.FromResult(true);
    }
}
