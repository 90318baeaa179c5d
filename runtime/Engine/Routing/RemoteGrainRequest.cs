using System.Diagnostics;
using OrleansTenancy.Runtime.Catalog;
using OrleansTenancy.Runtime.Messaging;

namespace OrleansTenancy.Runtime.Routing;

/// <summary>A call that arrived over the transport: the outcome is sent back to the caller's address.</summary>
internal sealed class RemoteGrainRequest(RequestEnvelope envelope, MessageCenter messages, TimeProvider time)
    : GrainRequest(envelope.Target, envelope.Method, envelope.Arguments, envelope.Timeout, time, envelope.Hops)
{
    public RequestEnvelope Envelope { get; } = envelope;

    public static RemoteGrainRequest Create(RequestEnvelope envelope, MessageCenter messages, TimeProvider time) =>
        new(envelope, messages, time)
        {
            TraceParent = envelope.TraceParent is { } parent && ActivityContext.TryParse(parent, null, out var context) ? context : default,
        };

    protected override void Complete(object? result, Exception? exception) =>
        _ = messages.SendResponseAsync(Envelope.ReplyTo, Envelope.Id, Envelope.Method, result, exception);
}
