using OrleansTenancy.Runtime;

namespace OrleansTenancy.Benchmarks.Calls;

/// <summary>The smallest useful grain call: one argument in, the same value out.</summary>
public interface IEchoGrain : IGrainWithStringKey
{
    Task<int> EchoAsync(int value);
}

/// <summary>Non-reentrant: every call takes the activation's turn, so this measures the full mailbox path.</summary>
public sealed class EchoGrain : Grain, IEchoGrain
{
    public Task<int> EchoAsync(int value) => Task.FromResult(value);
}

/// <summary>The same echo through a stateless worker (a pool of local activations behind one key).</summary>
public interface IStatelessEchoGrain : IGrainWithStringKey
{
    Task<int> EchoAsync(int value);
}

[StatelessWorker]
public sealed class StatelessEchoGrain : Grain, IStatelessEchoGrain
{
    public Task<int> EchoAsync(int value) => Task.FromResult(value);
}

/// <summary>An activation with no state and no timer: what the runtime alone keeps per activation.</summary>
public interface IEmptyGrain : IGrainWithStringKey
{
    Task PingAsync();
}

public sealed class EmptyGrain : Grain, IEmptyGrain
{
    public Task PingAsync() => Task.CompletedTask;
}
