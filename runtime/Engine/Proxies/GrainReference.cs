using OrleansTenancy.Runtime.Metadata;

namespace OrleansTenancy.Runtime.Proxies;

/// <summary>Sends grain calls for a reference: the silo (local or remote dispatch) or a cluster client (always remote).</summary>
public interface IGrainCallInvoker
{
    /// <summary>Calls <paramref name="method"/> on the grain <paramref name="target"/> refers to.</summary>
    /// <param name="target">The reference being called.</param>
    /// <param name="method">The interface method.</param>
    /// <param name="arguments">The arguments, excluding any <see cref="CancellationToken"/>; owned by the call from now on.</param>
    /// <param name="cancellationToken">The caller's token, if the method takes one.</param>
    /// <returns>The result, boxed; null for methods without a result.</returns>
    ValueTask<object?> InvokeAsync(GrainReference target, GrainMethodDescriptor method, object?[] arguments, CancellationToken cancellationToken);
}

/// <summary>What every reference of one interface created by one invoker shares.</summary>
/// <param name="Invoker">Sends the calls.</param>
/// <param name="Interface">The grain interface.</param>
public sealed record GrainReferenceBinding(IGrainCallInvoker Invoker, GrainInterfaceDescriptor Interface);

/// <summary>
/// Base class of the generated grain reference types. A generated method packs its arguments into an
/// array and calls one of the protected helpers with its method index; there is no reflection per call.
/// </summary>
public abstract class GrainReference
{
    private readonly GrainReferenceBinding _binding;

    /// <summary>Creates a reference; called by generated constructors.</summary>
    protected GrainReference(GrainReferenceBinding binding, string key)
    {
        ArgumentNullException.ThrowIfNull(binding);
        ArgumentNullException.ThrowIfNull(key);
        _binding = binding;
        GrainId = new GrainIdentity(binding.Interface.GrainType, key);
    }

    /// <summary>The identity of the referenced grain.</summary>
    public GrainIdentity GrainId { get; }

    /// <summary>The grain interface this reference implements.</summary>
    public GrainInterfaceDescriptor Interface => _binding.Interface;

    /// <inheritdoc />
    public override string ToString() => $"GrainReference:{GrainId}";

    /// <summary>References are equal when they address the same grain.</summary>
    public override bool Equals(object? obj) => obj is GrainReference other && other.GrainId == GrainId;

    /// <inheritdoc />
    public override int GetHashCode() => GrainId.GetHashCode();

    /// <summary>Helper for methods returning <see cref="Task"/>.</summary>
    protected Task InvokeTask(int methodIndex, object?[] arguments, CancellationToken cancellationToken)
    {
        var pending = Invoke(methodIndex, arguments, cancellationToken);
        return pending.IsCompletedSuccessfully ? Task.CompletedTask : pending.AsTask();
    }

    /// <summary>Helper for methods returning <see cref="Task{TResult}"/>.</summary>
    protected Task<T> InvokeTaskOf<T>(int methodIndex, object?[] arguments, CancellationToken cancellationToken)
    {
        var pending = Invoke(methodIndex, arguments, cancellationToken);
        return pending.IsCompletedSuccessfully ? Task.FromResult((T)pending.Result!) : Await(pending);

        static async Task<T> Await(ValueTask<object?> pending) => (T)(await pending)!;
    }

    /// <summary>Helper for methods returning <see cref="ValueTask"/>.</summary>
    protected ValueTask InvokeValueTask(int methodIndex, object?[] arguments, CancellationToken cancellationToken)
    {
        var pending = Invoke(methodIndex, arguments, cancellationToken);
        return pending.IsCompletedSuccessfully ? default : Await(pending);

        static async ValueTask Await(ValueTask<object?> pending) => await pending;
    }

    /// <summary>Helper for methods returning <see cref="ValueTask{TResult}"/>.</summary>
    protected ValueTask<T> InvokeValueTaskOf<T>(int methodIndex, object?[] arguments, CancellationToken cancellationToken)
    {
        var pending = Invoke(methodIndex, arguments, cancellationToken);
        return pending.IsCompletedSuccessfully ? new ValueTask<T>((T)pending.Result!) : Await(pending);

        static async ValueTask<T> Await(ValueTask<object?> pending) => (T)(await pending)!;
    }

    private ValueTask<object?> Invoke(int methodIndex, object?[] arguments, CancellationToken cancellationToken) =>
        _binding.Invoker.InvokeAsync(this, _binding.Interface.Methods[methodIndex], arguments, cancellationToken);
}
