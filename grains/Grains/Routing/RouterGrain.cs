using Orleans.Concurrency;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Mapping;

namespace OrleansTenancy.Grains.Routing;

/// <summary>The cluster-facing router: a stateless worker that maps <see cref="ChatCall"/> onto <see cref="ILlmRouter"/>.</summary>
[StatelessWorker]
[GrainType("router")]
public sealed class RouterGrain(ILlmRouter router) : Grain, IRouterGrain
{
    /// <inheritdoc />
    public Task<ChatAnswer> ChatAsync(ChatCall chat) => router.AnswerAsync(chat, chat?.RequestId, CancellationToken.None);
}
