namespace OrleansTenancy.GrainInterfaces;

/// <summary>
/// One chat call (key: the call's request id), plain or streamed, that its caller can cancel. It runs the call as
/// <see cref="IRouterGrain"/> does: policy, worst-case reservation, upstream, settlement, ledger, metrics.
/// </summary>
/// <remarks>
/// <para>
/// Why a grain per call: Orleans sends a call's cancellation, and every poll of an <see cref="IAsyncEnumerable{T}"/>
/// it returns, to the grain id of the call, and keeps the stream's state in the activation that started it. The router
/// is a stateless worker whose pool may hand those to an activation that knows nothing of the call (measured: the
/// cancellation of a router call in flight never reached it). A grain per call has exactly one activation, placed on
/// the silo that receives the call and deactivated once the call has ended.
/// </para>
/// <para>
/// A call that ends early — its token is cancelled, the caller stops reading a stream or disappears (Orleans drops an
/// enumeration that is not polled for one response timeout) — abandons upstream and is settled with what may have been
/// consumed (upstream's usage, else the prompt and any streamed text), never zero, as an HTTP call whose client
/// disconnects is.
/// </para>
/// </remarks>
[Alias("OrleansTenancy.IChatCallGrain")]
public interface IChatCallGrain : IGrainWithStringKey
{
    /// <summary>
    /// Runs the call and returns its answer, or its refusal in <see cref="ChatAnswer.Refusal"/>.
    /// </summary>
    /// <param name="chat">The call; its <see cref="ChatCall.RequestId"/> is taken from the grain key when absent.</param>
    /// <param name="cancellationToken">Cancels the call on the silo; upstream is abandoned and what it may have charged is settled.</param>
    [Alias("Chat")]
    [ResponseTimeout(IRouterGrain.ChatTimeout)]
    Task<ChatAnswer> ChatAsync(ChatCall chat, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams the call: parts with text as it arrives, then one last part with <see cref="ChatStreamPart.Final"/> (the
    /// settled usage, or the refusal that ended it). A refusal before any text is the only part.
    /// </summary>
    /// <param name="chat">The call; its <see cref="ChatCall.RequestId"/> is taken from the grain key when absent.</param>
    /// <param name="cancellationToken">Cancels the call; upstream is abandoned and what was consumed is settled.</param>
    [Alias("Stream")]
    IAsyncEnumerable<ChatStreamPart> StreamAsync(ChatCall chat, CancellationToken cancellationToken = default);
}

/// <summary>One part of a streamed chat answer.</summary>
[GenerateSerializer, Immutable, Alias("OrleansTenancy.ChatStreamPart")]
public sealed record ChatStreamPart
{
    /// <summary>Text that arrived since the previous part (absent on the last part).</summary>
    [Id(0)]
    public string? Text { get; init; }

    /// <summary>Why the model stopped (<c>stop</c>, <c>length</c>, …), on the part where upstream said so.</summary>
    [Id(1)]
    public string? FinishReason { get; init; }

    /// <summary>
    /// On the last part only: the call's outcome — request id, model, settled tokens and cost, or the
    /// <see cref="ChatAnswer.Refusal"/> that ended it. <see cref="ChatAnswer.Text"/> is not repeated here.
    /// </summary>
    [Id(2)]
    public ChatAnswer? Final { get; init; }
}
