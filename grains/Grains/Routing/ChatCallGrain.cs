using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Orleans.Placement;
using OrleansTenancy.GrainInterfaces;
using OrleansTenancy.Grains.Mapping;
using OrleansTenancy.Grains.Tenants;
using OrleansTenancy.OpenRouter.Wire;
using OrleansTenancy.Tenancy.Registry;

namespace OrleansTenancy.Grains.Routing;

/// <summary>
/// One chat call, plain or streamed (see <see cref="IChatCallGrain"/>), placed on the silo that receives it and
/// deactivated once the call has ended.
/// </summary>
/// <remarks>
/// A stream: the router runs the call and hands chunks to a channel; the enumeration Orleans drives for the caller reads
/// that channel. When the enumeration ends before the call does (the caller disposed it, cancelled it, or stopped polling
/// and Orleans dropped it), the call's token is cancelled: the router abandons upstream and settles what was consumed
/// (upstream's usage if it arrived, else the prompt and the streamed text), exactly as for an HTTP client that
/// disconnects. Parts are never held back from a slow reader: an answer is small, and holding them would hold upstream.
/// </remarks>
[GrainType("chat-call")]
[PreferLocalPlacement]
public sealed class ChatCallGrain(ILlmRouter router, ITenantRegistrySource registry) : Grain, IChatCallGrain
{
    /// <inheritdoc />
    public async Task<ChatAnswer> ChatAsync(ChatCall chat, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chat);
        try
        {
            CheckTenant(chat);
            return await router.AnswerAsync(chat, chat.RequestId ?? this.GetPrimaryKeyString(), cancellationToken);
        }
        finally
        {
            DeactivateOnIdle();
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatStreamPart> StreamAsync(ChatCall chat, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chat);
        CheckTenant(chat);
        var request = chat.ToRoute(chat.RequestId ?? this.GetPrimaryKeyString());
        var parts = Channel.CreateUnbounded<ChatStreamPart>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var call = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = RunAsync(request, parts.Writer, call.Token);
        try
        {
            await foreach (var part in parts.Reader.ReadAllAsync(CancellationToken.None))
            {
                yield return part;
            }
        }
        finally
        {
            // Nothing when the call ended by itself; otherwise the caller is gone and upstream is abandoned.
            await call.CancelAsync();
            await running;
            DeactivateOnIdle();
        }
    }

    /// <summary>
    /// Refuses a call for a tenant or workspace the registry does not hold with the exception every client-facing grain
    /// throws (a call without a context is left to the router's strict/non-strict rule).
    /// </summary>
    private void CheckTenant(ChatCall chat)
    {
        if (chat.Context is { } context)
        {
            registry.Current.Require(context.Tenant, context.Workspace);
        }
    }

    /// <summary>Runs the call, writing its text as it arrives and then its outcome; completes the channel in every case.</summary>
    private async Task RunAsync(RouteRequest request, ChannelWriter<ChatStreamPart> parts, CancellationToken cancellationToken)
    {
        var streamed = false;
        ValueTask OnChunk(ChatCompletionChunk chunk, CancellationToken _)
        {
            if (chunk.Choices is [var choice, ..] && (!string.IsNullOrEmpty(choice.Delta?.Content) || choice.FinishReason is not null))
            {
                streamed = true;
                parts.TryWrite(new ChatStreamPart { Text = choice.Delta?.Content, FinishReason = choice.FinishReason });
            }

            return ValueTask.CompletedTask;
        }

        try
        {
            var result = await router.StreamAsync(request, OnChunk, cancellationToken);
            if (!streamed && ChatMapping.TextOf(result.Response) is { } whole)
            {
                // An answer that came whole (a cache hit) is one part.
                parts.TryWrite(new ChatStreamPart { Text = whole, FinishReason = "stop" });
            }

            parts.TryWrite(new ChatStreamPart { Final = result.ToAnswer(text: null) });
            parts.TryComplete();
        }
        catch (RouteRefusedException refused)
        {
            parts.TryWrite(new ChatStreamPart { Final = refused.ToAnswer(request.RequestId) });
            parts.TryComplete();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller ended the enumeration; the router has settled the call, and no one reads any more.
            parts.TryComplete();
        }
        catch (Exception error)
        {
            parts.TryComplete(error);
        }
    }
}
