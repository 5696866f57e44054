# source: https://github.com/IntelLabs/distiller/issues/234 (distiller/knowledge_distillation.py at 06faf4caaa1cb092b0db2c56707c50da721cbf6e)
# expect: AG005
# pitfall: KnowledgeDistillationPolicy.forward caches the student's logits as `out.new_tensor(out, requires_grad=True)`, a copy-construct (torch warns) that makes a new leaf with no graph: the distillation loss computed from it in before_backward_pass never reaches the student
# The policy's forward and before_backward_pass are the file's; the ScheduledTrainingPolicy
# base, PolicyLoss and the training loop of compress_classifier.py are stubbed.
from collections import namedtuple

import torch
import torch.nn as nn
import torch.nn.functional as F

DistillationLossWeights = namedtuple('DistillationLossWeights',
                                     ['distill', 'student', 'teacher'])
PolicyLoss = namedtuple('PolicyLoss', ['overall_loss', 'loss_components'])
LossComponent = namedtuple('LossComponent', ['name', 'value'])


class ScheduledTrainingPolicy(object):
    def __init__(self):
        pass


class KnowledgeDistillationPolicy(ScheduledTrainingPolicy):
    def __init__(self, student_model, teacher_model, temperature=1.0,
                 loss_weights=DistillationLossWeights(0.5, 0.5, 0)):
        super(KnowledgeDistillationPolicy, self).__init__()

        if loss_weights.teacher != 0:
            raise NotImplementedError('Using teacher vs. labels loss is not supported yet, '
                                      'for now teacher loss weight must be set to 0')

        self.active = False

        self.student = student_model
        self.teacher = teacher_model
        self.temperature = temperature
        self.loss_wts = loss_weights

        self.last_students_logits = None
        self.last_teacher_logits = None

    def forward(self, *inputs):
        if not self.active:
            return self.student(*inputs)

        if self.loss_wts.teacher == 0:
            with torch.no_grad():
                self.last_teacher_logits = self.teacher(*inputs)
        else:
            self.last_teacher_logits = self.teacher(*inputs)

        out = self.student(*inputs)
        self.last_students_logits = out.new_tensor(out, requires_grad=True)

        return out

    def on_epoch_begin(self, model, zeros_mask_dict, meta, **kwargs):
        self.active = True

    def before_backward_pass(self, model, epoch, minibatch_id, minibatches_per_epoch, loss, zeros_mask_dict,
                             optimizer=None):
        if not self.active:
            return None

        if self.last_teacher_logits is None or self.last_students_logits is None:
            raise RuntimeError("KnowledgeDistillationPolicy: Student and or teacher logits were not cached. "
                               "Make sure to call KnowledgeDistillationPolicy.forward() in your script instead of "
                               "calling the model directly.")

        # Calculate distillation loss
        soft_log_probs = F.log_softmax(self.last_students_logits / self.temperature, dim=1)
        soft_targets = F.softmax(self.last_teacher_logits / self.temperature, dim=1)

        distillation_loss = F.kl_div(soft_log_probs, soft_targets.detach(), size_average=False) / soft_targets.shape[0]

        overall_loss = self.loss_wts.student * loss + self.loss_wts.distill * distillation_loss
        return PolicyLoss(overall_loss,
                          [LossComponent('Distill Loss', distillation_loss)])


torch.manual_seed(0)
student = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))
teacher = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 4))
policy = KnowledgeDistillationPolicy(student, teacher, temperature=2.0)
optimizer = torch.optim.SGD(student.parameters(), lr=0.1)
criterion = nn.CrossEntropyLoss()
inputs, target = torch.randn(5, 8), torch.randint(0, 4, (5,))

policy.on_epoch_begin(student, None, None)
output = policy.forward(inputs)
loss = criterion(output, target)
agg_loss = policy.before_backward_pass(student, 0, 0, 1, loss, None, optimizer=optimizer)
optimizer.zero_grad()
agg_loss.overall_loss.backward()
optimizer.step()
