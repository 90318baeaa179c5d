using System.Collections.Concurrent;
using OrleansTenancy.Sql;

namespace OrleansTenancy.Storage.Tests.Sql;

public sealed class BatchDrainerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Items_that_arrive_while_a_batch_is_sent_go_together_in_the_next()
    {
        var batches = await SendWhileTheFirstBatchIsHeldAsync(items: 11, maxBatch: 100);

        Assert.Equal([[0], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]], batches);
    }

    [Fact]
    public async Task A_batch_holds_at_most_the_maximum_and_the_rest_follows()
    {
        var batches = await SendWhileTheFirstBatchIsHeldAsync(items: 8, maxBatch: 3);

        Assert.Equal([1, 3, 3, 1], batches.Select(b => b.Length));
    }

    [Fact]
    public async Task When_a_batch_fails_each_item_is_sent_alone_and_only_the_bad_one_fails()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var delivered = new ConcurrentBag<int>();
        var failed = new ConcurrentBag<int>();
        var drainer = new BatchDrainer<int>(async batch =>
        {
            await release.Task;
            if (batch.Contains(3))
            {
                throw new InvalidOperationException("item 3 is bad");
            }

            batch.ForEach(delivered.Add);
            if (delivered.Count == 5)
            {
                done.TrySetResult();
            }
        }, (item, _) => failed.Add(item), maxBatch: 100, maxInFlight: 1);

        for (var i = 0; i <= 5; i++)
        {
            drainer.Add(i);
        }

        release.SetResult();
        await done.Task.WaitAsync(Patience);

        Assert.Equal([0, 1, 2, 4, 5], delivered.Order());
        Assert.Equal([3], failed);
    }

    /// <summary>
    /// Adds item 0, holds its batch in the sender until items 1.. have been added, then lets everything through;
    /// returns the batches in the order they were sent (one batch in flight at a time).
    /// </summary>
    private static async Task<int[][]> SendWhileTheFirstBatchIsHeldAsync(int items, int maxBatch)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstSending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var allSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var batches = new ConcurrentQueue<int[]>();
        var sent = 0;
        var drainer = new BatchDrainer<int>(async batch =>
        {
            batches.Enqueue([.. batch]);
            firstSending.TrySetResult();
            await release.Task;
            if (Interlocked.Add(ref sent, batch.Count) == items)
            {
                allSent.SetResult();
            }
        }, static (_, error) => throw new InvalidOperationException("no item may fail here", error), maxBatch, maxInFlight: 1);

        drainer.Add(0);
        await firstSending.Task.WaitAsync(Patience);
        for (var i = 1; i < items; i++)
        {
            drainer.Add(i);
        }

        release.SetResult();
        await allSent.Task.WaitAsync(Patience);
        return [.. batches];
    }
}
