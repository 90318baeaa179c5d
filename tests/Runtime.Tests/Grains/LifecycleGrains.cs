using OrleansTenancy.Runtime.Tests.Infrastructure;

namespace OrleansTenancy.Runtime.Tests.Grains;

public sealed class CounterState
{
    public int Value { get; set; }
}

public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> GetValue();

    Task<int> Increment();

    Task DeactivateWhenDone();
}

/// <summary>Logs its lifecycle and keeps a counter in persistent state.</summary>
public sealed class CounterGrain : Grain, ICounterGrain
{
    private readonly IPersistentState<CounterState> _state;
    private readonly Probe _probe;

    public CounterGrain([PersistentState("counter")] IPersistentState<CounterState> state)
    {
        _state = state;
        _probe = Probe.For(GetPrimaryKeyString());
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _probe.Log($"activate:{_state.State.Value}:{_state.RecordExists}");
        _probe.Increment("activations");
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _probe.Log($"deactivate:{reason.ReasonCode}");
        _probe.Signal($"deactivated:{_probe.Increment("deactivations")}");
        return Task.CompletedTask;
    }

    public Task<int> GetValue()
    {
        _probe.Log("get");
        return Task.FromResult(_state.State.Value);
    }

    public async Task<int> Increment()
    {
        _state.State.Value++;
        await _state.WriteStateAsync();
        _probe.Log("increment");
        return _state.State.Value;
    }

    public Task DeactivateWhenDone()
    {
        DeactivateOnIdle();
        _probe.Log("deactivate-requested");
        return Task.CompletedTask;
    }
}

public interface ITimeoutGrain : IGrainWithStringKey
{
    Task WaitForever(CancellationToken cancellationToken);
}

public sealed class TimeoutGrain : Grain, ITimeoutGrain
{
    public async Task WaitForever(CancellationToken cancellationToken)
    {
        var probe = Probe.For(GetPrimaryKeyString());
        probe.Signal("entered");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            probe.Signal("cancelled");
            throw;
        }
    }
}

public interface IFlakyActivationGrain : IGrainWithStringKey
{
    Task<int> Attempt();
}

/// <summary>Fails its first activation, succeeds afterwards.</summary>
public sealed class FlakyActivationGrain : Grain, IFlakyActivationGrain
{
    private int _attempt;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _attempt = Probe.For(GetPrimaryKeyString()).Increment("activations");
        return _attempt == 1
            ? throw new InvalidOperationException($"activation {_attempt} of {GetPrimaryKeyString()} failed")
            : Task.CompletedTask;
    }

    public Task<int> Attempt() => Task.FromResult(_attempt);
}
