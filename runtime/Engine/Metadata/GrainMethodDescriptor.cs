using System.Reflection;

namespace OrleansTenancy.Runtime.Metadata;

/// <summary>How a grain method's result is shaped.</summary>
public enum GrainMethodReturnKind
{
    /// <summary><see cref="System.Threading.Tasks.Task"/>.</summary>
    Task,

    /// <summary><see cref="Task{TResult}"/>.</summary>
    TaskOfT,

    /// <summary><see cref="System.Threading.Tasks.ValueTask"/>.</summary>
    ValueTask,

    /// <summary><see cref="ValueTask{TResult}"/>.</summary>
    ValueTaskOfT,
}

/// <summary>
/// Everything the runtime needs to call one grain interface method, computed once at startup: the compiled
/// invoker, the serialized parameter types and the interleaving flags.
/// </summary>
public sealed class GrainMethodDescriptor
{
    internal GrainMethodDescriptor(GrainInterfaceDescriptor owner, int index, MethodInfo method)
    {
        Interface = owner;
        Index = index;
        Method = method;
        var parameters = method.GetParameters();
        CancellationTokenIndex = Array.FindIndex(parameters, p => p.ParameterType == typeof(CancellationToken));
        Parameters = parameters.Where(p => p.ParameterType != typeof(CancellationToken)).ToArray();
        (ReturnKind, ResultType) = GrainMethodShape.Classify(owner.InterfaceType, method);
        AlwaysInterleave = method.IsDefined(typeof(AlwaysInterleaveAttribute), inherit: false);
        ReadOnly = method.IsDefined(typeof(ReadOnlyAttribute), inherit: false);
        Key = $"{method.Name}({string.Join(",", parameters.Select(p => p.ParameterType.FullName ?? p.ParameterType.Name))})";
        DisplayName = $"{owner.InterfaceType.Name}.{method.Name}";
        Invoker = GrainMethodInvokerFactory.Create(owner.InterfaceType, method, parameters);
    }

    /// <summary>The interface declaring the method (for inherited interfaces: the grain interface it was reached through).</summary>
    public GrainInterfaceDescriptor Interface { get; }

    /// <summary>The position in <see cref="GrainInterfaceDescriptor.Methods"/>.</summary>
    public int Index { get; }

    /// <summary>The interface method.</summary>
    public MethodInfo Method { get; }

    /// <summary>The parameters carried in a request (all but a <see cref="CancellationToken"/>).</summary>
    public IReadOnlyList<ParameterInfo> Parameters { get; }

    /// <summary>Position of the <see cref="CancellationToken"/> parameter among all parameters, or -1.</summary>
    public int CancellationTokenIndex { get; }

    /// <summary>Whether the grain method accepts a <see cref="CancellationToken"/>.</summary>
    public bool TakesCancellationToken => CancellationTokenIndex >= 0;

    /// <summary>The result shape.</summary>
    public GrainMethodReturnKind ReturnKind { get; }

    /// <summary>The result value type, or null for <see cref="Task"/> / <see cref="ValueTask"/>.</summary>
    public Type? ResultType { get; }

    /// <summary>Whether calls interleave with any other call.</summary>
    public bool AlwaysInterleave { get; }

    /// <summary>Whether calls interleave with other read-only calls.</summary>
    public bool ReadOnly { get; }

    /// <summary>A stable identifier of the method within its interface, used on the wire.</summary>
    public string Key { get; }

    /// <summary><c>Interface.Method</c>, for messages and metrics.</summary>
    public string DisplayName { get; }

    /// <summary>Calls the method on a grain instance with the request's arguments and cancellation token.</summary>
    public Func<object, object?[], CancellationToken, ValueTask<object?>> Invoker { get; }

    /// <inheritdoc />
    public override string ToString() => DisplayName;
}

internal static class GrainMethodShape
{
    public static (GrainMethodReturnKind Kind, Type? Result) Classify(Type iface, MethodInfo method)
    {
        var type = method.ReturnType;
        if (type == typeof(Task))
        {
            return (GrainMethodReturnKind.Task, null);
        }

        if (type == typeof(ValueTask))
        {
            return (GrainMethodReturnKind.ValueTask, null);
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Task<>))
        {
            return (GrainMethodReturnKind.TaskOfT, type.GetGenericArguments()[0]);
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(ValueTask<>))
        {
            return (GrainMethodReturnKind.ValueTaskOfT, type.GetGenericArguments()[0]);
        }

        throw new InvalidOperationException(
            $"Grain method {iface.FullName}.{method.Name} returns {type.FullName}; grain methods must return Task, Task<T>, ValueTask or ValueTask<T>.");
    }
}
