# source: https://github.com/z814081807/DeepNER/issues/19
# expect: AG009
# pitfall: SpanModel builds its criterion as `nn.CrossEntropyLoss(reduction=reduction)` with `reduction = 'none'`, so `loss = start_loss + end_loss` holds one loss per token and the trainer's `loss.backward()` raises "grad can be implicitly created only for scalar outputs" (the issue; the maintainer: use the default mean). train() of src/utils/trainer.py at commit 465eb0a with fp16, multi-GPU, adversarial training, the scheduler and checkpointing left out; the dataset is a list of random token batches
import torch

from model_utils import build_model


class Opt:
    train_epochs = 1
    lr = 2e-5
    max_grad_norm = 1.0


def train(opt, model, train_loader):
    optimizer = torch.optim.AdamW(model.parameters(), lr=opt.lr)

    global_step = 0

    model.zero_grad()

    avg_loss = 0.

    for epoch in range(opt.train_epochs):

        for step, batch_data in enumerate(train_loader):

            model.train()

            loss = model(**batch_data)[0]

            loss.backward()

            torch.nn.utils.clip_grad_norm_(model.parameters(), opt.max_grad_norm)

            optimizer.step()

            model.zero_grad()

            global_step += 1

            avg_loss += loss.item()


model = build_model('span', 'bert-base-chinese', num_tags=5)
train_loader = [
    {
        'token_ids': torch.randint(0, 30, (2, 6)),
        'attention_masks': torch.ones(2, 6, dtype=torch.long),
        'token_type_ids': torch.zeros(2, 6, dtype=torch.long),
        'start_ids': torch.randint(0, 5, (2, 6)),
        'end_ids': torch.randint(0, 5, (2, 6)),
    }
    for _ in range(2)
]
train(Opt(), model, train_loader)
