namespace OrleansTenancy.Runtime;

/// <summary>
/// On a grain constructor parameter of type <see cref="IPersistentState{TState}"/>: binds it to the state
/// named <paramref name="stateName"/> in the storage provider named <paramref name="storageName"/>.
/// </summary>
/// <param name="stateName">The state name, part of the stored record's identity.</param>
/// <param name="storageName">The provider name; null means the runtime's default provider (<c>"Default"</c> unless configured).</param>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class PersistentStateAttribute(string stateName, string? storageName = null) : Attribute
{
    /// <summary>The state name.</summary>
    public string StateName { get; } = stateName;

    /// <summary>The storage provider name, or null for the default provider.</summary>
    public string? StorageName { get; } = storageName;
}

/// <summary>
/// On a grain class: the grain keeps no identity-bound state, so each silo may run several activations of
/// the same key, up to <paramref name="maxLocalWorkers"/>, always on the silo that received the call.
/// </summary>
/// <param name="maxLocalWorkers">Per-silo activation cap; zero or negative means the silo's <c>MaxStatelessWorkersPerSilo</c>.</param>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class StatelessWorkerAttribute(int maxLocalWorkers = -1) : Attribute
{
    /// <summary>The per-silo activation cap; zero or negative means the silo default.</summary>
    public int MaxLocalWorkers { get; } = maxLocalWorkers;
}

/// <summary>On a grain class: calls may interleave at await points (still one thread at a time).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class ReentrantAttribute : Attribute
{
}

/// <summary>On a grain interface method: calls to it may interleave with any other call, even on a non-reentrant grain.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AlwaysInterleaveAttribute : Attribute
{
}

/// <summary>
/// On a grain interface method: the method does not change state, so read-only calls may interleave with
/// each other, but never with a call that is not read-only.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ReadOnlyAttribute : Attribute
{
}
