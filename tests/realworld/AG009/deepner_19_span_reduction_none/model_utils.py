# source: https://github.com/z814081807/DeepNER/blob/465eb0ace3b133547e33f7e3ba9d32265df62547/src/utils/model_utils.py
# SpanModel as the file has it (the pseudo-label branch left out); BaseModel's BERT encoder is
# stubbed by an embedding, its config by the hidden size, the label-smoothing and focal losses
# by the cross-entropy branch the default loss_type takes.
import torch
import torch.nn as nn


class BaseModel(nn.Module):
    def __init__(self, bert_dir, dropout_prob):
        super(BaseModel, self).__init__()
        self.bert_module = nn.Embedding(30, 16)
        self.bert_config = type("BertConfig", (), {"hidden_size": 16})()

    def _init_weights(self, blocks):
        for block in blocks:
            for module in block.modules():
                if isinstance(module, nn.Linear):
                    nn.init.zeros_(module.bias)


class SpanModel(BaseModel):
    def __init__(self,
                 bert_dir,
                 num_tags,
                 dropout_prob=0.1,
                 loss_type='ce',
                 **kwargs):
        super(SpanModel, self).__init__(bert_dir=bert_dir, dropout_prob=dropout_prob)

        out_dims = self.bert_config.hidden_size

        mid_linear_dims = kwargs.pop('mid_linear_dims', 128)

        self.num_tags = num_tags

        self.mid_linear = nn.Sequential(
            nn.Linear(out_dims, mid_linear_dims),
            nn.ReLU(),
            nn.Dropout(dropout_prob)
        )

        out_dims = mid_linear_dims

        self.start_fc = nn.Linear(out_dims, num_tags)
        self.end_fc = nn.Linear(out_dims, num_tags)

        reduction = 'none'
        if loss_type == 'ce':
            self.criterion = nn.CrossEntropyLoss(reduction=reduction)

        self.loss_weight = nn.Parameter(torch.FloatTensor(1), requires_grad=True)
        self.loss_weight.data.fill_(-0.2)

        init_blocks = [self.mid_linear, self.start_fc, self.end_fc]

        self._init_weights(init_blocks)

    def forward(self,
                token_ids,
                attention_masks,
                token_type_ids,
                start_ids=None,
                end_ids=None,
                pseudo=None):

        seq_out = self.bert_module(token_ids)

        seq_out = self.mid_linear(seq_out)

        start_logits = self.start_fc(seq_out)
        end_logits = self.end_fc(seq_out)

        out = (start_logits, end_logits, )

        if start_ids is not None and end_ids is not None and self.training:

            start_logits = start_logits.view(-1, self.num_tags)
            end_logits = end_logits.view(-1, self.num_tags)

            # 去掉 padding 部分的标签，计算真实 loss
            active_loss = attention_masks.view(-1) == 1
            active_start_logits = start_logits[active_loss]
            active_end_logits = end_logits[active_loss]

            active_start_labels = start_ids.view(-1)[active_loss]
            active_end_labels = end_ids.view(-1)[active_loss]

            start_loss = self.criterion(active_start_logits, active_start_labels)
            end_loss = self.criterion(active_end_logits, active_end_labels)

            loss = start_loss + end_loss

            out = (loss, ) + out

        return out


def build_model(task_type, bert_dir, **kwargs):
    assert task_type in ['crf', 'span', 'mrc']

    model = SpanModel(bert_dir=bert_dir,
                      num_tags=kwargs.pop('num_tags'),
                      dropout_prob=kwargs.pop('dropout_prob', 0.1),
                      loss_type=kwargs.pop('loss_type', 'ce'))

    return model
