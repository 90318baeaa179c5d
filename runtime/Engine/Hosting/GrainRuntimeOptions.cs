namespace OrleansTenancy.Runtime.Hosting;

/// <summary>Settings of a silo's grain runtime. Every default is the one Orleans uses unless stated otherwise.</summary>
public sealed class GrainRuntimeOptions
{
    /// <summary>How long an activation may stay idle before it is collected. Defaults to 15 minutes.</summary>
    public TimeSpan CollectionAge { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often the idle collector scans activations. Defaults to 1 minute; must not exceed <see cref="CollectionAge"/>.</summary>
    public TimeSpan CollectionQuantum { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a caller waits for a grain call before it throws <see cref="TimeoutException"/>. Defaults to 30 seconds.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long <c>OnActivateAsync</c> (with the state read) may run before its token is cancelled. Defaults to 30 seconds.</summary>
    public TimeSpan ActivationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long <c>OnDeactivateAsync</c> may run before its token is cancelled. Defaults to 30 seconds.</summary>
    public TimeSpan DeactivationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Upper bound of activations per stateless-worker grain key on one silo. Defaults to <see cref="Environment.ProcessorCount"/>.</summary>
    public int MaxStatelessWorkersPerSilo { get; set; } = Environment.ProcessorCount;

    /// <summary>The storage provider used by <c>[PersistentState]</c> without a provider name. Defaults to <c>"Default"</c>.</summary>
    public string DefaultStorageName { get; set; } = "Default";

    /// <summary>How many times a request may be forwarded between silos while views disagree on its owner. Defaults to 2.</summary>
    public int MaxForwardCount { get; set; } = 2;

    /// <summary>The host name this silo is addressed by. Defaults to <c>"localhost"</c>.</summary>
    public string SiloHost { get; set; } = "localhost";

    /// <summary>The silo-to-silo port. Defaults to 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>
    /// Whether arguments and results of calls that stay inside one silo are copied through the serializer, as
    /// if they had crossed silos. Catches types that cannot be serialized and callers that mutate an object
    /// after passing it, at the cost of a serialization round trip per local call. Defaults to false; the
    /// in-process test cluster turns it on.
    /// </summary>
    public bool IsolateLocalCalls { get; set; }

    /// <summary>How often the silo re-reads the membership table when the table gives no change notifications. Defaults to 5 seconds.</summary>
    public TimeSpan MembershipRefreshPeriod { get; set; } = TimeSpan.FromSeconds(5);
}
