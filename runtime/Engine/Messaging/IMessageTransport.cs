using OrleansTenancy.Runtime.Membership;

namespace OrleansTenancy.Runtime.Messaging;

/// <summary>Receives the frames addressed to one endpoint.</summary>
public interface IMessageHandler
{
    /// <summary>Handles one complete frame. The memory belongs to the handler from now on.</summary>
    void OnFrame(ReadOnlyMemory<byte> frame);
}

/// <summary>
/// The seam for silo-to-silo and client-to-silo messaging: moves opaque, complete frames between
/// addressed endpoints. The in-memory transport copies frames between silos of one process; a TCP
/// transport (Kestrel connection handlers, length-prefixed frames) plugs in behind the same interface.
/// Delivery is at most once; a frame to an unknown or stopped endpoint fails with <see cref="SiloUnavailableException"/>.
/// </summary>
public interface IMessageTransport
{
    /// <summary>Starts receiving frames for <paramref name="local"/>; dispose the result to stop.</summary>
    ValueTask<IAsyncDisposable> ListenAsync(SiloAddress local, IMessageHandler handler, CancellationToken cancellationToken);

    /// <summary>Sends one frame to <paramref name="destination"/>.</summary>
    /// <exception cref="SiloUnavailableException">The destination is not reachable.</exception>
    ValueTask SendAsync(SiloAddress destination, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken);
}
