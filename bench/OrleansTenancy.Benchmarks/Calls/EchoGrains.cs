using Orleans.Concurrency;

namespace OrleansTenancy.Benchmarks.Calls;

/// <summary>The smallest useful grain call: one argument in, the same value out.</summary>
[Alias("OrleansTenancy.Bench.IEchoGrain")]
public interface IEchoGrain : IGrainWithStringKey
{
    [Alias("Echo")]
    Task<int> EchoAsync(int value);
}

/// <summary>Non-reentrant: every call takes the activation's turn, so this measures the full message path.</summary>
public sealed class EchoGrain : Grain, IEchoGrain
{
    public Task<int> EchoAsync(int value) => Task.FromResult(value);
}

/// <summary>The same echo through a stateless worker (a pool of local activations behind one key).</summary>
[Alias("OrleansTenancy.Bench.IStatelessEchoGrain")]
public interface IStatelessEchoGrain : IGrainWithStringKey
{
    [Alias("Echo")]
    Task<int> EchoAsync(int value);
}

[StatelessWorker]
public sealed class StatelessEchoGrain : Grain, IStatelessEchoGrain
{
    public Task<int> EchoAsync(int value) => Task.FromResult(value);
}

/// <summary>An activation with no state and no timer: what Orleans alone keeps per activation.</summary>
[Alias("OrleansTenancy.Bench.IEmptyGrain")]
public interface IEmptyGrain : IGrainWithStringKey
{
    [Alias("Ping")]
    Task PingAsync();
}

public sealed class EmptyGrain : Grain, IEmptyGrain
{
    public Task PingAsync() => Task.CompletedTask;
}

/// <summary>An echo that also says which silo holds it, so a caller can pick targets on other silos.</summary>
[Alias("OrleansTenancy.Bench.ILocatedEchoGrain")]
public interface ILocatedEchoGrain : IGrainWithIntegerKey
{
    [Alias("Echo")]
    Task<int> EchoAsync(int value);

    [Alias("Silo")]
    Task<string> SiloAsync();
}

public sealed class LocatedEchoGrain(ILocalSiloDetails silo) : Grain, ILocatedEchoGrain
{
    public Task<int> EchoAsync(int value) => Task.FromResult(value);

    public Task<string> SiloAsync() => Task.FromResult(silo.SiloAddress.ToString());
}
