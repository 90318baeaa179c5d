namespace OrleansTenancy.Runtime.Tests.Grains;

public sealed class GrainRuleBrokenException(string message) : Exception(message);

public sealed record Payload(string Name, int Count, IReadOnlyList<string> Tags);

public sealed record BadPayload(string Name, Type Kind);

public sealed record CallResult(string Silo, string? OtherSilo);

public interface IPlacementGrain : IGrainWithStringKey
{
    Task<string> WhereAmI();

    ValueTask Touch(string entry);

    ValueTask<string> Describe(int number, DateTimeOffset at);

    Task<CallResult> CallOther(string otherKey);

    Task<Payload> Echo(Payload payload);

    Task<int> Accept(BadPayload payload);

    Task<BadPayload> MakeBad();

    Task ThrowInvalid(string message);

    Task ThrowCustom(string message);

    Task ThrowUnknown(string message);

    Task CallOtherThatThrows(string otherKey, string message);
}

public sealed class PlacementGrain(Silo silo) : Grain, IPlacementGrain
{
    public Task<string> WhereAmI() => Task.FromResult(silo.Address.ToString());

    public async ValueTask Touch(string entry)
    {
        await Task.Yield();
        Infrastructure.Probe.For(GetPrimaryKeyString()).Log(entry);
    }

    public async ValueTask<string> Describe(int number, DateTimeOffset at)
    {
        await Task.Yield();
        return $"{number}@{at:O}";
    }

    public async Task<CallResult> CallOther(string otherKey)
    {
        var other = await GrainFactory.GetGrain<IPlacementGrain>(otherKey).WhereAmI();
        return new CallResult(silo.Address.ToString(), other);
    }

    public Task<Payload> Echo(Payload payload) => Task.FromResult(payload with { Count = payload.Count + 1 });

    public Task<int> Accept(BadPayload payload) => Task.FromResult(payload.Name.Length);

    public Task<BadPayload> MakeBad() => Task.FromResult(new BadPayload("bad", typeof(string)));

    public Task ThrowInvalid(string message) => throw new InvalidOperationException(message);

    public Task ThrowCustom(string message) => throw new GrainRuleBrokenException(message);

    public Task ThrowUnknown(string message) => throw new System.IO.InvalidDataException(message);

    public Task CallOtherThatThrows(string otherKey, string message) =>
        GrainFactory.GetGrain<IPlacementGrain>(otherKey).ThrowInvalid(message);
}
