using System.Linq.Expressions;
using System.Reflection;

namespace OrleansTenancy.Runtime.Metadata;

/// <summary>
/// Compiles, once per interface method, a delegate that unpacks the argument array, calls the method
/// through the interface and adapts its result to <see cref="ValueTask{TResult}"/> of object. Grain calls
/// therefore never touch reflection after startup.
/// </summary>
internal static class GrainMethodInvokerFactory
{
    public static Func<object, object?[], CancellationToken, ValueTask<object?>> Create(Type iface, MethodInfo method, ParameterInfo[] parameters)
    {
        var grain = Expression.Parameter(typeof(object), "grain");
        var args = Expression.Parameter(typeof(object?[]), "args");
        var cancellation = Expression.Parameter(typeof(CancellationToken), "cancellationToken");

        var callArgs = new Expression[parameters.Length];
        var argIndex = 0;
        for (var i = 0; i < parameters.Length; i++)
        {
            var parameterType = parameters[i].ParameterType;
            if (parameterType.IsByRef)
            {
                throw new InvalidOperationException($"Grain method {iface.FullName}.{method.Name} has a ref/out parameter '{parameters[i].Name}'; grain methods take values only.");
            }

            callArgs[i] = parameterType == typeof(CancellationToken)
                ? cancellation
                : Expression.Convert(Expression.ArrayIndex(args, Expression.Constant(argIndex++)), parameterType);
        }

        if (method.IsGenericMethodDefinition)
        {
            throw new InvalidOperationException($"Grain method {iface.FullName}.{method.Name} is generic; grain methods cannot be generic.");
        }

        var call = Expression.Call(Expression.Convert(grain, iface), method, callArgs);
        var (kind, result) = GrainMethodShape.Classify(iface, method);
        var adapter = kind switch
        {
            GrainMethodReturnKind.Task => typeof(ResultAdapters).GetMethod(nameof(ResultAdapters.FromTask))!,
            GrainMethodReturnKind.ValueTask => typeof(ResultAdapters).GetMethod(nameof(ResultAdapters.FromValueTask))!,
            GrainMethodReturnKind.TaskOfT => typeof(ResultAdapters).GetMethod(nameof(ResultAdapters.FromTaskOf))!.MakeGenericMethod(result!),
            _ => typeof(ResultAdapters).GetMethod(nameof(ResultAdapters.FromValueTaskOf))!.MakeGenericMethod(result!),
        };
        var body = Expression.Call(adapter, call);
        return Expression.Lambda<Func<object, object?[], CancellationToken, ValueTask<object?>>>(body, grain, args, cancellation).Compile();
    }
}

/// <summary>Turns the four grain result shapes into one, without allocating when the method completed synchronously.</summary>
internal static class ResultAdapters
{
    public static ValueTask<object?> FromTask(Task task)
    {
        return task.IsCompletedSuccessfully ? default : Await(task);

        static async ValueTask<object?> Await(Task task)
        {
            await task;
            return null;
        }
    }

    public static ValueTask<object?> FromValueTask(ValueTask task)
    {
        return task.IsCompletedSuccessfully ? default : Await(task);

        static async ValueTask<object?> Await(ValueTask task)
        {
            await task;
            return null;
        }
    }

    public static ValueTask<object?> FromTaskOf<T>(Task<T> task)
    {
        return task.IsCompletedSuccessfully ? new ValueTask<object?>(task.Result) : Await(task);

        static async ValueTask<object?> Await(Task<T> task) => await task;
    }

    public static ValueTask<object?> FromValueTaskOf<T>(ValueTask<T> task)
    {
        return task.IsCompletedSuccessfully ? new ValueTask<object?>(task.Result) : Await(task);

        static async ValueTask<object?> Await(ValueTask<T> task) => await task;
    }
}
