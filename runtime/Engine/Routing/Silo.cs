using Microsoft.Extensions.Logging;
using OrleansTenancy.Runtime.Catalog;
using OrleansTenancy.Runtime.Diagnostics;
using OrleansTenancy.Runtime.Hosting;
using OrleansTenancy.Runtime.Membership;
using OrleansTenancy.Runtime.Messaging;
using OrleansTenancy.Runtime.Metadata;
using OrleansTenancy.Runtime.Proxies;
using OrleansTenancy.Runtime.Routing;

namespace OrleansTenancy.Runtime;

/*
 * The silo: routes every grain call to the owner silo of its grain (consistent hash over the Active silos
 * of the current membership view) and runs the calls it owns in its catalog.
 *
 * Local calls never touch the serializer: the request object goes straight into the activation's mailbox
 * and the caller awaits its completion with the response timeout. Calls owned elsewhere are serialized
 * and sent through the transport. A request arriving for a grain this silo does not own (views differ
 * during a membership change) is forwarded to the owner it sees, at most MaxForwardCount hops; after that
 * it runs here and storage ETags protect the state. Stateless workers always run on the receiving silo.
 */

/// <summary>One silo of the cluster: its address, grain factory, status and activations.</summary>
public sealed class Silo : IGrainCallInvoker, IAsyncDisposable
{
    private readonly GrainRuntimeOptions _options;
    private readonly GrainTypeRegistry _registry;
    private readonly IMessageTransport _transport;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly GrainCatalog _catalog;
    private readonly IMembershipTable _membershipTable;
    private readonly GrainSerializationOptions _serialization;
    private readonly RuntimeMetrics _metrics;
    private readonly ILoggerFactory _loggers;
    private readonly MessageCodec? _isolation;

    // Created by StartAsync: both need the silo address, whose generation is the start time.
    private MessageCenter _messages = null!;
    private MembershipService _membership = null!;
    private IAsyncDisposable? _listener;

    internal Silo(
        GrainRuntimeOptions options,
        GrainTypeRegistry registry,
        IMembershipTable membershipTable,
        IMessageTransport transport,
        GrainSerializationOptions serialization,
        TimeProvider time,
        IServiceProvider services,
        RuntimeMetrics metrics,
        ILoggerFactory loggers)
    {
        _options = options;
        _registry = registry;
        _transport = transport;
        _time = time;
        _logger = loggers.CreateLogger<Silo>();
        _membershipTable = membershipTable;
        _serialization = serialization;
        _metrics = metrics;
        _loggers = loggers;
        GrainFactory = new GrainFactory(registry, this);
        _isolation = options.IsolateLocalCalls ? new MessageCodec(registry, serialization.SerializerOptions) : null;
        _catalog = new GrainCatalog(options, time, services, metrics, loggers.CreateLogger<GrainCatalog>())
        {
            GrainFactory = GrainFactory,
            Redispatcher = Redispatch,
        };
        metrics.Meter.CreateObservableGauge("silo_membership_active_silos", () => MembershipView.Ring.Silos.Count, description: "Active silos in this silo's membership view.");
        metrics.Meter.CreateObservableGauge("silo_activations", () => _catalog.ActivationCount, description: "Live activations on this silo.");
    }

    /// <summary>This silo's address; set by <see cref="StartAsync"/>.</summary>
    public SiloAddress Address { get; private set; }

    /// <summary>References created here call through this silo.</summary>
    public IGrainFactory GrainFactory { get; }

    /// <summary>Where the silo is in its life.</summary>
    public SiloStatus Status { get; private set; } = SiloStatus.Joining;

    /// <summary>Live activations on this silo.</summary>
    public int ActivationCount => _catalog.ActivationCount;

    /// <summary>This silo's current view of the cluster.</summary>
    public MembershipView MembershipView => _membership?.View ?? MembershipView.Empty;

    /// <summary>Checks storage bindings, starts listening, joins the membership table and becomes Active.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var grainClass in _registry.Interfaces.Select(i => i.Implementation).OfType<GrainClassDescriptor>().Distinct())
        {
            foreach (var binding in grainClass.PersistentStates)
            {
                _catalog.ResolveStorage(grainClass, binding);
            }
        }

        Address = new SiloAddress(_options.SiloHost, _options.SiloPort, _time.GetUtcNow().ToUnixTimeMilliseconds());
        _messages = new MessageCenter(Address, _transport, _registry, _serialization.SerializerOptions, _time, _metrics, _loggers.CreateLogger<MessageCenter>())
        {
            RequestReceived = OnRequestReceived,
        };
        _membership = new MembershipService(_membershipTable, _time, _options.MembershipRefreshPeriod, _loggers.CreateLogger<MembershipService>());
        _membership.ViewChanged += OnViewChanged;
        _listener = await _transport.ListenAsync(Address, _messages, cancellationToken);
        await _membership.StartAsync(cancellationToken);
        await _membership.SetStatusAsync(Address, SiloStatus.Joining, cancellationToken);
        _catalog.Start();
        await _membership.SetStatusAsync(Address, SiloStatus.Active, cancellationToken);
        Status = SiloStatus.Active;
        _logger.LogInformation("Silo {Address} is active; {Silos} active silo(s) in view {Version}", Address, MembershipView.Ring.Silos.Count, MembershipView.Version);
    }

    /// <summary>Leaves the placement ring, deactivates every activation (running <c>OnDeactivateAsync</c>) and stops listening.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Status != SiloStatus.Active)
        {
            return;
        }

        Status = SiloStatus.ShuttingDown;
        await _membership.SetStatusAsync(Address, SiloStatus.ShuttingDown, cancellationToken);
        await _catalog.StopAsync(cancellationToken);
        await _membership.SetStatusAsync(Address, SiloStatus.Dead, cancellationToken);
        Status = SiloStatus.Dead;
        if (_listener is not null)
        {
            await _listener.DisposeAsync();
        }

        await _membership.DisposeAsync();
        _logger.LogInformation("Silo {Address} stopped", Address);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None);
        if (_membership is not null)
        {
            await _membership.DisposeAsync();
        }
    }

    /// <inheritdoc />
    public ValueTask<object?> InvokeAsync(GrainReference target, GrainMethodDescriptor method, object?[] arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(method);
        var grainId = target.GrainId;
        var owner = OwnerOf(grainId, method);
        if (owner != Address)
        {
            return _messages.InvokeAsync(owner, grainId, method, arguments, _options.ResponseTimeout, cancellationToken);
        }

        if (_isolation is not null)
        {
            try
            {
                arguments = _isolation.CopyArguments(method, arguments);
            }
            catch (GrainSerializationException exception)
            {
                return ValueTask.FromException<object?>(exception);
            }
        }

        var request = new LocalGrainRequest(grainId, method, arguments, _options.ResponseTimeout, _time) { Isolation = _isolation };
        request.LinkCallerToken(cancellationToken);
        _catalog.Dispatch(request);
        var task = request.Task;
        return task.IsCompleted ? new ValueTask<object?>(task) : AwaitLocalAsync(task, grainId, method, cancellationToken);
    }

    private async ValueTask<object?> AwaitLocalAsync(Task<object?> task, GrainIdentity grainId, GrainMethodDescriptor method, CancellationToken cancellationToken)
    {
        try
        {
            return await task.WaitAsync(_options.ResponseTimeout, _time, cancellationToken);
        }
        catch (TimeoutException) when (!task.IsCompleted)
        {
            throw new TimeoutException($"{method.DisplayName} on {grainId} (silo {Address}) did not respond within {_options.ResponseTimeout} (GrainRuntimeOptions.ResponseTimeout).");
        }
    }

    private SiloAddress OwnerOf(GrainIdentity grainId, GrainMethodDescriptor method)
    {
        if (method.Interface.Implementation is { IsStatelessWorker: true })
        {
            return Address;
        }

        return _membership.View.Ring.GetOwner(grainId) ?? Address;
    }

    private void OnRequestReceived(RequestEnvelope envelope)
    {
        var owner = OwnerOf(envelope.Target, envelope.Method);
        if (owner != Address && envelope.Hops < _options.MaxForwardCount)
        {
            _ = _messages.ForwardAsync(owner, envelope, envelope.Timeout);
            return;
        }

        _catalog.Dispatch(RemoteGrainRequest.Create(envelope, _messages, _time));
    }

    private void Redispatch(GrainRequest request)
    {
        var owner = OwnerOf(request.Target, request.Method);
        if (owner == Address)
        {
            _catalog.Dispatch(request);
        }
        else if (request is RemoteGrainRequest remote)
        {
            _ = _messages.ForwardAsync(owner, remote.Envelope, remote.Timeout);
        }
        else
        {
            _ = BridgeAsync(request, owner);
        }
    }

    private async Task BridgeAsync(GrainRequest request, SiloAddress owner)
    {
        try
        {
            var result = await _messages.InvokeAsync(owner, request.Target, request.Method, request.Arguments, request.Timeout, CancellationToken.None);
            request.Finish(result, null);
        }
        catch (Exception exception)
        {
            request.Finish(null, exception);
        }
    }

    private void OnViewChanged(MembershipView view)
    {
        if (Status != SiloStatus.Active)
        {
            return;
        }

        _catalog.DeactivateWhere(
            id => view.Ring.GetOwner(id) is { } owner && owner != Address,
            new DeactivationReason(DeactivationReasonCode.PlacementChanged, $"Membership view {view.Version} places the grain on another silo."));
    }
}
