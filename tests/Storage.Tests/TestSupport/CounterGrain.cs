namespace OrleansTenancy.TestSupport;

/// <summary>A grain whose state goes through the silo's default storage provider, as the product's grains' state does.</summary>
public interface ICounterGrain : IGrainWithStringKey
{
    Task<long> Add(long amount);

    Task<long> Current();
}

[GenerateSerializer]
public sealed class CounterState
{
    [Id(0)]
    public long Total { get; set; }

    [Id(1)]
    public decimal Usd { get; set; }
}

public sealed class CounterGrain([PersistentState("counter")] IPersistentState<CounterState> state) : Grain, ICounterGrain
{
    public async Task<long> Add(long amount)
    {
        state.State.Total += amount;
        state.State.Usd += amount * 0.01m;
        await state.WriteStateAsync();
        return state.State.Total;
    }

    public Task<long> Current() => Task.FromResult(state.State.Total);
}
