# source: https://github.com/aupendu/zero-restore/issues/7 (model/watermodel.py at c128ed5b42bc6e00b1718ffe9aa6d75715f32118)
# expect: AG002
# pitfall: SKConv.forward calls `conv(x).unsqueeze_(dim=1)`: the in-place unsqueeze bumps the version of InConv's output, which the final ReLU saved, so the zero-shot training step's backward raises (the author: "Add .clone() in SKConv Layer's forward pass")
# InConv and SKConv are the file's (tabs as there); the training loop of UnderWaterZeroShot.py
# is reduced to one step on a random image with an L1 loss.
import torch
import torch.nn as nn


class InConv(nn.Module):
	def __init__(self, in_ch, out_ch):
		super(InConv, self).__init__()
		self.conv = nn.Sequential(
			nn.Conv2d(1, 64, 7, stride = 4, padding=3,  bias=False, padding_mode='reflect'),
			nn.GroupNorm(num_channels=64, num_groups=8, affine=True),
			nn.ReLU(inplace=True)
		)
		self.convf = nn.Sequential(
			nn.Conv2d(64, 64, 3, padding=1, bias=False, padding_mode='reflect'),
			nn.GroupNorm(num_channels=64, num_groups=8, affine=True),
			nn.ReLU(inplace=False)
		)
	def forward(self, x):
		R = x[:, 0:1, :, :]
		G = x[:, 1:2, :, :]
		B = x[:, 2:3, :, :]
		xR = torch.unsqueeze(self.conv(R), 1)
		xG = torch.unsqueeze(self.conv(G), 1)
		xB = torch.unsqueeze(self.conv(B), 1)
		x = torch.cat([xR, xG, xB], 1)
		x, _ = torch.min(x, dim=1)
		return self.convf(x)

class SKConv(nn.Module):
    def __init__(self, outfeatures=64, infeatures=1, M=4 ,L=32):

        super(SKConv, self).__init__()
        self.M = M
        self.convs = nn.ModuleList([])
        in_conv = InConv(in_ch=infeatures, out_ch=outfeatures)
        for i in range(M):
        	if i==0:
        		self.convs.append(in_conv)
        	else:
	            self.convs.append(nn.Sequential(
	            	nn.Upsample(scale_factor=1/(2**i), mode='bilinear', align_corners=True),
	                in_conv,
	                nn.Upsample(scale_factor=2**i, mode='bilinear', align_corners=True)
	            ))
        self.fc = nn.Linear(outfeatures, L)
        self.fcs = nn.ModuleList([])
        for i in range(M):
            self.fcs.append(
                nn.Linear(L, outfeatures)
            )
        self.softmax = nn.Softmax(dim=1)
        
    def forward(self, x):
        for i, conv in enumerate(self.convs):
            fea = conv(x).unsqueeze_(dim=1)
            if i == 0:
                feas = fea
            else:
                feas = torch.cat([feas, fea], dim=1)
        fea_U = torch.sum(feas, dim=1)
        fea_s = fea_U.mean(-1).mean(-1)
        fea_z = self.fc(fea_s)
        for i, fc in enumerate(self.fcs):
            vector = fc(fea_z).unsqueeze_(dim=1)
            if i == 0:
                attention_vectors = vector
            else:
                attention_vectors = torch.cat([attention_vectors, vector], dim=1)
        attention_vectors = self.softmax(attention_vectors)
        attention_vectors = attention_vectors.unsqueeze(-1).unsqueeze(-1)
        fea_v = (feas * attention_vectors).sum(dim=1)
        return fea_v


torch.manual_seed(0)
model = SKConv(outfeatures=64, infeatures=1, M=3 ,L=32)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
img = torch.rand(1, 3, 32, 32)
target = torch.rand(1, 64, 8, 8)
optimizer.zero_grad()
loss = torch.nn.functional.l1_loss(model(img), target)
loss.backward()
optimizer.step()
