using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansTenancy.Runtime.Membership;
using OrleansTenancy.Runtime.Messaging;
using OrleansTenancy.Runtime.Metadata;
using OrleansTenancy.Runtime.Proxies;
using OrleansTenancy.Runtime.Routing;

namespace OrleansTenancy.Runtime.Client;

/// <summary>
/// A client outside the silos: reads the membership table, computes each grain's owner on the same ring
/// the silos use and sends its calls straight to that silo (every call is serialized).
/// </summary>
public sealed class ClusterClient : IGrainFactory, IGrainCallInvoker, IAsyncDisposable
{
    private readonly MessageCenter _messages;
    private readonly MembershipService _membership;
    private readonly GrainFactory _factory;
    private readonly TimeSpan _responseTimeout;
    private IAsyncDisposable? _listener;

    private ClusterClient(SiloAddress address, MessageCenter messages, MembershipService membership, GrainTypeRegistry registry, TimeSpan responseTimeout)
    {
        Address = address;
        _messages = messages;
        _membership = membership;
        _responseTimeout = responseTimeout;
        _factory = new GrainFactory(registry, this);
    }

    /// <summary>The address responses are sent to.</summary>
    public SiloAddress Address { get; }

    /// <summary>Connects a client: starts listening for responses and reads the membership table.</summary>
    /// <param name="address">This client's endpoint address (unique in the cluster).</param>
    /// <param name="registry">The grain interfaces the client calls.</param>
    /// <param name="membershipTable">The cluster's membership table.</param>
    /// <param name="transport">The cluster's transport.</param>
    /// <param name="serialization">Serializer settings compatible with the silos'.</param>
    /// <param name="time">The clock for timeouts.</param>
    /// <param name="responseTimeout">How long a call may take before it throws <see cref="TimeoutException"/>.</param>
    /// <param name="loggers">Logging; null for none.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    public static async Task<ClusterClient> ConnectAsync(
        SiloAddress address,
        GrainTypeRegistry registry,
        IMembershipTable membershipTable,
        IMessageTransport transport,
        GrainSerializationOptions serialization,
        TimeProvider time,
        TimeSpan responseTimeout,
        ILoggerFactory? loggers,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(serialization);
        loggers ??= NullLoggerFactory.Instance;
        var messages = new MessageCenter(address, transport, registry, serialization.SerializerOptions, time, metrics: null, loggers.CreateLogger<ClusterClient>());
        var membership = new MembershipService(membershipTable, time, TimeSpan.FromSeconds(5), loggers.CreateLogger<MembershipService>());
        var client = new ClusterClient(address, messages, membership, registry, responseTimeout);
        client._listener = await transport.ListenAsync(address, messages, cancellationToken);
        await membership.StartAsync(cancellationToken);
        return client;
    }

    /// <summary>The client's current view of the cluster.</summary>
    public MembershipView MembershipView => _membership.View;

    /// <inheritdoc />
    public TGrainInterface GetGrain<TGrainInterface>(string primaryKey)
        where TGrainInterface : IGrainWithStringKey => _factory.GetGrain<TGrainInterface>(primaryKey);

    /// <inheritdoc />
    public ValueTask<object?> InvokeAsync(GrainReference target, GrainMethodDescriptor method, object?[] arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(method);
        var owner = _membership.View.Ring.GetOwner(target.GrainId);
        if (owner is null)
        {
            return ValueTask.FromException<object?>(new SiloUnavailableException($"No silo is active in membership view {_membership.View.Version}; cannot call {method.DisplayName} on {target.GrainId}."));
        }

        return _messages.InvokeAsync(owner.Value, target.GrainId, method, arguments, _responseTimeout, cancellationToken);
    }

    /// <summary>Refreshes the membership view now (normally it follows table changes by itself).</summary>
    public Task RefreshMembershipAsync(CancellationToken cancellationToken) => _membership.RefreshAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_listener is not null)
        {
            await _listener.DisposeAsync();
        }

        await _membership.DisposeAsync();
    }
}
